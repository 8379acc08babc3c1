import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProbeServer } from '../src/api/probe-server.js';
import type { LeadershipView } from '../src/api/http-api.js';

describe('ProbeServer (/healthz, /readyz, /metrics)', () => {
  let ready = false;
  let leadership: LeadershipView = { role: 'leader', leader: undefined };
  const probes = new ProbeServer({
    metrics: async () => ({ contentType: 'text/plain', body: 'metric 1\n' }),
    ready: () => ready,
    leadership: () => leadership,
  });
  let base: string;
  before(async () => {
    base = `http://127.0.0.1:${await probes.start({ port: 0, host: '127.0.0.1' })}`;
  });
  after(() => probes.stop());

  it('answers /readyz 503 until the sources are loaded, then 200', async () => {
    assert.equal((await fetch(`${base}/readyz`)).status, 503);
    ready = true;
    const response = await fetch(`${base}/readyz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ready', role: 'leader' });
  });

  it('a follower is Ready too and says whom it follows (readiness is the process health)', async () => {
    leadership = { role: 'follower', leader: 'controller-a' };
    const response = await fetch(`${base}/readyz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ready', role: 'follower', leader: 'controller-a' });
    leadership = { role: 'follower', leader: undefined };
    assert.deepEqual(await (await fetch(`${base}/readyz`)).json(), {
      status: 'ready',
      role: 'follower',
      leader: null,
    });
    leadership = { role: 'leader', leader: undefined };
  });

  it('serves /healthz and /metrics without a token (kubelet and scrapers carry none)', async () => {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    assert.equal(await metrics.text(), 'metric 1\n');
  });

  it('serves no /v1 API: 404 naming the API port', async () => {
    const response = await fetch(`${base}/v1/policies`);
    assert.equal(response.status, 404);
    assert.match(((await response.json()) as { error: string }).error, /apiPort, default 8092/);
  });
});
