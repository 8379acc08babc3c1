/**
 * The proxy's router on an upstream that stalls or resets, as Envoy's does (source/common/router/
 * router.cc): the route timeout is armed when the whole downstream request has been read, resets the
 * upstream request and answers a local 504 `upstream request timeout`, or resets the client when the
 * response had started; a reset before the headers is a 503. The access log then carries
 * RESPONSE_DURATION `-` (no upstream byte arrived) and DURATION (the whole time), which is what the
 * agent reads as a stalled flow. Time is a manual clock: timers fire when the test advances it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startProxy, type RunningProxy } from '../src/proxy-server.js';
import { jsonToStruct } from '../src/struct-value.js';
import { httpCall } from '@sluice/testkit';
import { ManualClock } from '@sluice/clock/manual';
import { ScriptedUpstream } from './support/scripted-upstream.js';
import { TestAgent } from './support/test-agent.js';

let agent: TestAgent;
let upstream: ScriptedUpstream;
const proxies: RunningProxy[] = [];

before(async () => {
  agent = await new TestAgent().start();
  agent.behaviour = () => ({
    status: {},
    dynamic_metadata: jsonToStruct({ 'aperture.check_response': 'record' }),
  });
  upstream = await new ScriptedUpstream().start();
});

after(async () => {
  for (const proxy of proxies) await proxy.stop();
  await agent.stop();
  await upstream.stop();
});

async function proxyWith(routeTimeoutMs: number, clock: ManualClock): Promise<RunningProxy> {
  const proxy = await startProxy(
    {
      upstream: { port: upstream.port, routeTimeoutMs },
      // A generous Check deadline: a Check that failed open on a busy machine would log no authz_duration.
      extAuthz: { target: agent.target, timeoutMs: 5000 },
      accessLog: { target: agent.target },
    },
    { clock },
  );
  proxies.push(proxy);
  return proxy;
}

/** The access-log record of the next request through `proxy`, after `act` has run. */
async function loggedAfter(
  proxy: RunningProxy,
  act: () => Promise<void>,
): Promise<Readonly<Record<string, string>>> {
  const before = agent.logRecords.length;
  await act();
  await proxy.flushAccessLogs();
  await agent.waitForLogRecords(before + 1);
  const record = agent.logRecords[before];
  assert.ok(record);
  return record.attributes;
}

describe('route timeout', () => {
  it('an upstream that never answers: 504 upstream request timeout at 300 ms, the upstream request reset, RESPONSE_DURATION - and DURATION 300', async () => {
    const clock = new ManualClock();
    const proxy = await proxyWith(300, clock);
    upstream.script = () => undefined; // holds the request
    const requestsBefore = upstream.requests;
    const abandonedBefore = upstream.abandoned;
    let answer: Awaited<ReturnType<typeof httpCall>> | undefined;
    const attributes = await loggedAfter(proxy, async () => {
      const call = httpCall(`${proxy.url}/slow`);
      await upstream.waitForRequests(requestsBefore + 1);
      clock.advance(299);
      assert.equal(proxy.stats().upstreamTimeouts, 0, 'not before the timeout');
      clock.advance(1);
      answer = await call;
      await upstream.waitForAbandoned(abandonedBefore + 1);
    });
    assert.deepEqual([answer?.status, answer?.body], [504, 'upstream request timeout']);
    assert.equal(proxy.stats().upstreamTimeouts, 1);
    assert.equal(proxy.stats().upstreamErrors, 0);
    assert.deepEqual(
      [
        attributes['http.status_code'],
        attributes['RESPONSE_DURATION'],
        attributes['DURATION'],
        attributes['authz_duration'],
      ],
      ['504', '-', '300', '0'],
    );
  });

  it('a response that started and then stalls: the client stream is reset at the timeout, RESPONSE_DURATION is the time to the headers', async () => {
    const clock = new ManualClock();
    const proxy = await proxyWith(300, clock);
    upstream.script = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial');
    };
    let outcome = '';
    const attributes = await loggedAfter(proxy, async () => {
      await new Promise<void>((resolve) => {
        const call = request(`${proxy.url}/half`, (response) => {
          outcome = `status ${response.statusCode}`;
          response.once('data', () => {
            clock.advance(100);
            clock.advance(200);
          });
          response.on('end', () => ((outcome += ', ended'), resolve()));
          response.on('aborted', () => ((outcome += ', aborted'), resolve()));
          response.on('error', () => resolve());
        });
        call.on('error', () => ((outcome += ', error'), resolve()));
        call.end();
      });
    });
    assert.equal(outcome, 'status 200, aborted');
    assert.equal(proxy.stats().upstreamTimeouts, 1);
    assert.deepEqual(
      [attributes['http.status_code'], attributes['RESPONSE_DURATION'], attributes['DURATION']],
      ['200', '0', '300'],
    );
  });

  it('is armed only once the whole downstream request is read: a body still arriving after 1 s is no timeout', async () => {
    const clock = new ManualClock();
    const proxy = await proxyWith(300, clock);
    // Answers once the body is complete, however long that takes.
    upstream.script = (incoming, response) => {
      incoming.resume();
      incoming.once('end', () => response.writeHead(200).end('done'));
    };
    const requestsBefore = upstream.requests;
    const answered = new Promise<number>((resolve, reject) => {
      const call = request(`${proxy.url}/upload`, { method: 'POST' }, (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
      });
      call.on('error', reject);
      // More than max_request_bytes (8192): the Check goes out and the request is forwarded before the body ends.
      call.write(Buffer.alloc(10_000, 1));
      void upstream.waitForRequests(requestsBefore + 1).then(() => {
        clock.advance(1000);
        call.end(Buffer.alloc(100, 2));
      });
    });
    assert.equal(await answered, 200);
    assert.equal(proxy.stats().upstreamTimeouts, 0);
  });

  it('0 disables it: an answer after 60 s of manual time still arrives', async () => {
    const clock = new ManualClock();
    const proxy = await proxyWith(0, clock);
    let release: (() => void) | undefined;
    upstream.script = (_request, response) => (release = () => response.writeHead(200).end('late'));
    const requestsBefore = upstream.requests;
    const call = httpCall(`${proxy.url}/late`);
    await upstream.waitForRequests(requestsBefore + 1);
    clock.advance(60_000);
    release?.();
    assert.deepEqual([(await call).status, proxy.stats().upstreamTimeouts], [200, 0]);
  });

  it('defaults to Envoy\u2019s 15 s', async () => {
    const proxy = await proxyWith(15_000, new ManualClock());
    const defaulted = await startProxy({
      upstream: { port: upstream.port },
      extAuthz: { target: agent.target },
    });
    proxies.push(defaulted);
    assert.equal(defaulted.config.upstream.routeTimeoutMs, 15_000);
    assert.equal(proxy.config.upstream.routeTimeoutMs, 15_000);
  });
});

describe('upstream reset before the headers', () => {
  it('answers 503 upstream connect error or disconnect/reset before headers; RESPONSE_DURATION - and DURATION set', async () => {
    const proxy = await proxyWith(300, new ManualClock());
    upstream.script = (incoming) => incoming.socket.destroy();
    let answer: Awaited<ReturnType<typeof httpCall>> | undefined;
    const attributes = await loggedAfter(proxy, async () => {
      answer = await httpCall(`${proxy.url}/reset`);
    });
    assert.equal(answer?.status, 503);
    assert.match(
      answer?.body ?? '',
      /^upstream connect error or disconnect\/reset before headers\. reset reason: /,
    );
    assert.deepEqual([proxy.stats().upstreamErrors, proxy.stats().upstreamTimeouts], [1, 0]);
    assert.deepEqual(
      [attributes['http.status_code'], attributes['RESPONSE_DURATION'], attributes['DURATION']],
      ['503', '-', '0'],
    );
  });
});
