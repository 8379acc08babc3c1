import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { HttpListener } from '../src/api/http-listener.js';
import { HttpError, sendJson } from '../src/api/http-response.js';

describe('HttpListener', () => {
  it('binds port 0 on its default host and answers through its handler; what the handler throws is answered as an error', async () => {
    const listener = new HttpListener({
      what: 'the test API',
      defaultHost: '127.0.0.1',
      handle: async (incoming, response) => {
        if (incoming.url === '/teapot') throw new HttpError(418, 'short and stout');
        if (incoming.url === '/broken') throw new Error('wire cut');
        sendJson(response, 200, { path: incoming.url });
      },
    });
    const port = await listener.start({ port: 0 });
    try {
      const base = `http://127.0.0.1:${port}`;
      const ok = await fetch(`${base}/x`);
      assert.deepEqual([ok.status, await ok.json()], [200, { path: '/x' }]);
      const teapot = await fetch(`${base}/teapot`);
      assert.deepEqual([teapot.status, await teapot.json()], [418, { error: 'short and stout' }]);
      const broken = await fetch(`${base}/broken`);
      assert.deepEqual([broken.status, await broken.json()], [500, { error: 'wire cut' }]);
    } finally {
      await listener.stop();
    }
  });

  it('hands errors to its own answer when given one', async () => {
    const seen: number[] = [];
    const listener = new HttpListener({
      what: 'the test API',
      defaultHost: '127.0.0.1',
      handle: async () => {
        throw new HttpError(401, 'no');
      },
      onError: (response, error) => {
        seen.push((error as HttpError).statusCode);
        sendJson(response, 403, { error: 'forbidden' });
      },
    });
    const port = await listener.start({ port: 0 });
    try {
      assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 403);
      assert.deepEqual(seen, [401]);
    } finally {
      await listener.stop();
    }
  });

  it('a port in use is an error naming what, the address and the cause', async () => {
    const handle = async () => undefined;
    const first = new HttpListener({ what: 'the first', defaultHost: '127.0.0.1', handle });
    const second = new HttpListener({ what: 'probes and /metrics', defaultHost: '127.0.0.1', handle });
    const port = await first.start({ port: 0 });
    try {
      await assert.rejects(second.start({ port, host: '127.0.0.1' }), {
        message: new RegExp(`^cannot serve probes and /metrics on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
      });
    } finally {
      await first.stop();
    }
  });

  it('stop closes every connection, even one whose request is still being answered', async () => {
    let entered!: () => void;
    const handling = new Promise<void>((resolve) => (entered = resolve));
    const listener = new HttpListener({
      what: 'the test API',
      defaultHost: '127.0.0.1',
      // Never answers: only closing the connection ends this request.
      handle: () => {
        entered();
        return new Promise<void>(() => undefined);
      },
    });
    const port = await listener.start({ port: 0 });
    const socket = connect({ port, host: '127.0.0.1' });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await handling;
    await listener.stop();
    await closed;
    assert.equal(socket.destroyed, true);
  });
});
