import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { freePort } from '@sluice/testkit';
import { startProxy, type RunningProxy } from '../src/proxy-server.js';
import type { ProxyConfigInput } from '../src/proxy-config.js';
import { jsonToStruct } from '../src/struct-value.js';
import { startEchoUpstream, type EchoUpstream, type EchoedRequest } from './support/echo-upstream.js';
import { httpCall } from '@sluice/testkit';
import { TestAgent } from './support/test-agent.js';

let agent: TestAgent;
let upstream: EchoUpstream;
const proxies: RunningProxy[] = [];

async function proxyWith(
  extAuthz: Partial<NonNullable<ProxyConfigInput['extAuthz']>> = {},
  rest: Partial<ProxyConfigInput> = {},
): Promise<RunningProxy> {
  const proxy = await startProxy({
    upstream: { port: upstream.port },
    extAuthz: { target: agent.target, ...extAuthz },
    ...rest,
  });
  proxies.push(proxy);
  return proxy;
}

function echoed(body: string): EchoedRequest {
  return JSON.parse(body) as EchoedRequest;
}

before(async () => {
  agent = await new TestAgent().start();
  upstream = await startEchoUpstream();
});

after(async () => {
  for (const proxy of proxies) await proxy.stop();
  await agent.stop();
  await upstream.stop();
});

describe('proxy with an agent that answers', () => {
  it('sends the Check with control-point metadata and the deadline, applies OK mutations and forwards', async () => {
    agent.behaviour = () => ({
      status: { code: 0 },
      ok_response: {
        headers: [
          { header: { key: 'baggage', value: 'priority=high' }, append: { value: false } },
          { header: { key: 'user-type', value: 'vip' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
        ],
        headers_to_remove: ['x-strip-me'],
        response_headers_to_add: [{ header: { key: 'x-sluice', value: 'admitted' } }],
      },
    });
    const proxy = await proxyWith({ controlPoint: 'ingress-demo' });
    const before = agent.checks.length;
    const answer = await httpCall(`${proxy.url}/request?id=7`, {
      headers: { 'user-type': 'guest', 'x-strip-me': '1', 'x-request-id': 'abc' },
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['x-sluice'], 'admitted');
    const forwarded = echoed(answer.body);
    assert.equal(forwarded.path, '/request?id=7');
    assert.equal(forwarded.headers['baggage'], 'priority=high');
    assert.equal(forwarded.headers['user-type'], 'vip');
    assert.equal(forwarded.headers['x-strip-me'], undefined);
    assert.equal(forwarded.headers['x-request-id'], 'abc');

    const check = agent.checks[before];
    assert.ok(check);
    assert.deepEqual(check.metadata.get('control-point'), ['ingress-demo']);
    // grpc-timeout carries the 250 ms default, less the time the call spent reaching the agent.
    assert.ok(
      check.deadlineInMs !== undefined && check.deadlineInMs > 0 && check.deadlineInMs <= 250,
      `deadline in ${check.deadlineInMs} ms`,
    );
    const http = check.request.attributes?.request?.http;
    assert.equal(http?.method, 'GET');
    assert.equal(http?.path, '/request?id=7');
    assert.equal(http?.host, `127.0.0.1:${proxy.port}`);
    assert.equal(http?.scheme, 'http');
    assert.equal(http?.protocol, 'HTTP/1.1');
    assert.equal(http?.id, 'abc');
    assert.equal(http?.headers?.[':authority'], `127.0.0.1:${proxy.port}`);
    assert.equal(http?.headers?.[':method'], 'GET');
    assert.equal(http?.headers?.['user-type'], 'guest');
    assert.equal(check.request.attributes?.destination?.address?.socket_address?.port_value, proxy.port);
    assert.equal(check.request.attributes?.source?.address?.socket_address?.address, '127.0.0.1');
    assert.ok((check.request.attributes?.request?.time?.seconds ?? 0) > 1_600_000_000);
    assert.equal(proxy.stats().extAuthzOk, 1);
  });

  it('answers a denial with its status, retry-after and body, and never reaches the upstream', async () => {
    agent.behaviour = () => ({
      status: { code: status.UNAVAILABLE },
      denied_response: {
        status: { code: 'TooManyRequests' },
        headers: [{ header: { key: 'retry-after', value: '3' } }],
        body: 'rate limited',
      },
    });
    const proxy = await proxyWith();
    const upstreamBefore = upstream.received.length;
    const answer = await httpCall(`${proxy.url}/request`, { method: 'POST', body: 'payload' });
    assert.equal(answer.status, 429);
    assert.equal(answer.headers['retry-after'], '3');
    assert.equal(answer.body, 'rate limited');
    assert.equal(upstream.received.length, upstreamBefore);
    assert.deepEqual(proxy.stats().extAuthzDenied, { '429': 1 });
  });

  it('withholds credential headers from the Check unless allowedHeaders names them', async () => {
    agent.behaviour = () => ({ status: {} });
    const headers = {
      authorization: 'Bearer t',
      cookie: 'session=s',
      'x-api-key': 'k',
      'user-type': 'guest',
    };
    const strict = await proxyWith();
    const before = agent.checks.length;
    const answer = await httpCall(`${strict.url}/`, { headers });
    // The upstream still gets them: only the agent is kept from seeing them.
    assert.equal(echoed(answer.body).headers['authorization'], 'Bearer t');
    const stripped = agent.checks[before]?.request.attributes?.request?.http?.headers ?? {};
    assert.deepEqual(
      [stripped['authorization'], stripped['cookie'], stripped['x-api-key'], stripped['user-type']],
      [undefined, undefined, undefined, 'guest'],
    );

    const allowing = await proxyWith({ allowedHeaders: ['authorization', 'user-type'] });
    await httpCall(`${allowing.url}/`, { headers });
    const sent = agent.checks[before + 1]?.request.attributes?.request?.http?.headers ?? {};
    assert.deepEqual(
      [sent['authorization'], sent['cookie'], sent['x-api-key'], sent['user-type']],
      ['Bearer t', undefined, undefined, 'guest'],
    );
  });

  it('sends at most maxRequestBytes of the body, flagged partial, and forwards all of it', async () => {
    agent.behaviour = () => ({ status: {} });
    const proxy = await proxyWith({ withRequestBody: { maxRequestBytes: 1000 } });
    const body = 'x'.repeat(10_000);
    const before = agent.checks.length;
    const answer = await httpCall(`${proxy.url}/upload`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(answer.status, 200);
    assert.equal(echoed(answer.body).body.length, 10_000);
    const http = agent.checks[before]?.request.attributes?.request?.http;
    assert.equal(http?.body?.length, 1000);
    assert.equal(http?.headers?.['x-envoy-auth-partial-body'], 'true');
    assert.equal(http?.headers?.['content-length'], '10000');
    assert.ok((http?.size ?? 0) >= 1000);

    await httpCall(`${proxy.url}/small`, {
      method: 'POST',
      body: 'tiny',
      headers: { 'x-envoy-auth-partial-body': 'spoofed' },
    });
    const small = agent.checks[before + 1]?.request.attributes?.request?.http;
    assert.equal(small?.body, 'tiny');
    assert.equal(small?.size, 4);
    assert.equal(small?.headers?.['x-envoy-auth-partial-body'], 'false');
  });

  it('sends the control point under a configured metadata key', async () => {
    agent.behaviour = () => ({ status: {} });
    const proxy = await proxyWith({ controlPoint: 'INBOUND', controlPointMetadataKey: 'traffic-direction' });
    const before = agent.checks.length;
    await httpCall(`${proxy.url}/`);
    const metadata = agent.checks[before]?.metadata;
    assert.deepEqual([metadata?.get('traffic-direction'), metadata?.get('control-point')], [['INBOUND'], []]);
  });

  it('answers 413 without a Check when partial messages are off and the body is too long', async () => {
    const proxy = await proxyWith({ withRequestBody: { maxRequestBytes: 100, allowPartialMessage: false } });
    const before = agent.checks.length;
    const answer = await httpCall(`${proxy.url}/upload`, { method: 'POST', body: 'y'.repeat(5000) });
    assert.equal(answer.status, 413);
    assert.equal(agent.checks.length, before);
    assert.equal(proxy.stats().payloadTooLarge, 1);
  });
});

describe('proxy decision reporting', () => {
  it('reports each outcome to the hook and, when asked, in x-sluice-decision', async () => {
    agent.behaviour = (check) =>
      check.request.attributes?.request?.http?.path === '/deny'
        ? {
            status: { code: status.UNAVAILABLE },
            denied_response: { status: { code: 'ServiceUnavailable' } },
          }
        : { status: {} };
    const seen: string[] = [];
    const proxy = await startProxy(
      { upstream: { port: upstream.port }, extAuthz: { target: agent.target } },
      {
        decisionHeader: true,
        onDecision: (decision, requestId) =>
          seen.push(`${typeof decision === 'string' ? decision : decision.kind}:${requestId}`),
      },
    );
    proxies.push(proxy);
    const allowed = await httpCall(`${proxy.url}/ok`, { headers: { 'x-request-id': 'r1' } });
    const denied = await httpCall(`${proxy.url}/deny`, { headers: { 'x-request-id': 'r2' } });
    assert.deepEqual([allowed.status, allowed.headers['x-sluice-decision']], [200, 'allowed']);
    assert.deepEqual([denied.status, denied.headers['x-sluice-decision']], [503, 'denied']);
    assert.deepEqual(seen, ['allowed:r1', 'denied:r2']);
  });
});

describe('proxy when the agent fails', () => {
  it('fails open when the agent is down, adds the failure-mode header and counts it', async () => {
    const deadPort = await freePort();
    const proxy = await startProxy(
      {
        upstream: { port: upstream.port },
        extAuthz: { target: `127.0.0.1:${deadPort}`, failureModeAllowHeaderAdd: true },
      },
      { waitForAgentMs: 0 },
    );
    proxies.push(proxy);
    for (let index = 0; index < 5; index += 1) {
      const answer = await httpCall(`${proxy.url}/request`);
      assert.equal(answer.status, 200);
      assert.equal(echoed(answer.body).headers['x-envoy-auth-failure-mode-allowed'], 'true');
    }
    const stats = proxy.stats();
    assert.equal(stats.failureModeAllowed, 5);
    // Refused connections fail at once (UNAVAILABLE); a starved machine may hit the deadline instead.
    assert.equal(
      Object.values(stats.extAuthzError).reduce((sum, count) => sum + count, 0),
      5,
    );
    assert.ok((stats.extAuthzError['UNAVAILABLE'] ?? 0) >= 1, JSON.stringify(stats.extAuthzError));
    assert.equal(stats.extAuthzOk, 0);
  });

  it('fails open within the timeout plus a margin when the agent stalls', async () => {
    agent.behaviour = () => 'never';
    const proxy = await proxyWith({ timeoutMs: 100 });
    const started = performance.now();
    const answer = await httpCall(`${proxy.url}/request`);
    const elapsed = performance.now() - started;
    assert.equal(answer.status, 200);
    assert.equal(echoed(answer.body).headers['x-envoy-auth-failure-mode-allowed'], undefined);
    // The stalled agent never answers: only the 100 ms deadline can have ended the wait.
    assert.ok(elapsed >= 95 && elapsed < 100 + 1000, `answered after ${elapsed.toFixed(0)} ms`);
    assert.deepEqual(proxy.stats().extAuthzError, { DEADLINE_EXCEEDED: 1 });
    assert.equal(proxy.stats().failureModeAllowed, 1);
  });

  it('answers statusOnError when failureModeAllow is false', async () => {
    agent.behaviour = () => ({ error: status.INTERNAL });
    const proxy = await proxyWith({ failureModeAllow: false, statusOnError: 503 });
    const before = upstream.received.length;
    const answer = await httpCall(`${proxy.url}/request`);
    assert.equal(answer.status, 503);
    assert.equal(upstream.received.length, before);
    assert.equal(proxy.stats().failureModeDenied, 1);
    assert.deepEqual(proxy.stats().extAuthzError, { INTERNAL: 1 });

    const defaulted = await proxyWith({ failureModeAllow: false });
    assert.equal((await httpCall(`${defaulted.url}/request`)).status, 403);
  });

  it('answers 503 like Envoy when the upstream cannot be reached', async () => {
    agent.behaviour = () => ({ status: {} });
    const proxy = await startProxy({
      upstream: { port: await freePort() },
      extAuthz: { target: agent.target },
    });
    proxies.push(proxy);
    const answer = await httpCall(`${proxy.url}/request`);
    assert.equal(answer.status, 503);
    assert.match(answer.body, /^upstream connect error/);
    assert.equal(proxy.stats().upstreamErrors, 1);
  });
});

describe('proxy access logs', () => {
  it('exports one OTLP record per request with the istioconfig attributes, all strings', async () => {
    const checkResponse = Buffer.from('check-response-bytes').toString('base64');
    agent.behaviour = (check) =>
      check.request.attributes?.request?.http?.headers?.['user-type'] === 'guest'
        ? {
            status: { code: status.UNAVAILABLE },
            denied_response: { status: { code: 'ServiceUnavailable' } },
            dynamic_metadata: jsonToStruct({ 'aperture.check_response': checkResponse }),
          }
        : { status: {}, dynamic_metadata: jsonToStruct({ 'aperture.check_response': checkResponse }) };
    const proxy = await proxyWith({}, { accessLog: { target: agent.target, logName: 'ingress' } });
    const before = agent.logRecords.length;
    assert.equal(
      (
        await httpCall(`${proxy.url}/request`, {
          method: 'POST',
          body: 'abc',
          headers: { 'user-type': 'subscriber' },
        })
      ).status,
      200,
    );
    assert.equal((await httpCall(`${proxy.url}/request`, { headers: { 'user-type': 'guest' } })).status, 503);
    await proxy.flushAccessLogs();
    await agent.waitForLogRecords(before + 2);
    const [allowed, denied] = agent.logRecords.slice(before);
    assert.ok(allowed && denied);

    assert.equal(allowed.logName, 'ingress');
    assert.equal(allowed.body, 'POST');
    assert.deepEqual(Object.keys(allowed.attributes).sort(), [
      'BYTES_RECEIVED',
      'BYTES_SENT',
      'DURATION',
      'REQUEST_DURATION',
      'REQUEST_TX_DURATION',
      'RESPONSE_DURATION',
      'RESPONSE_TX_DURATION',
      'aperture.check_response',
      'aperture.source',
      'authz_duration',
      'http.status_code',
    ]);
    assert.equal(allowed.attributes['aperture.source'], 'envoy');
    assert.equal(allowed.attributes['aperture.check_response'], checkResponse);
    assert.equal(allowed.attributes['http.status_code'], '200');
    assert.equal(allowed.attributes['BYTES_RECEIVED'], '3');
    assert.match(allowed.attributes['authz_duration'] ?? '', /^[0-9]+$/);
    for (const key of [
      'DURATION',
      'REQUEST_DURATION',
      'REQUEST_TX_DURATION',
      'RESPONSE_DURATION',
      'RESPONSE_TX_DURATION',
    ]) {
      assert.match(allowed.attributes[key] ?? '', /^[0-9]+$/, key);
    }
    assert.ok(
      Number(allowed.attributes['RESPONSE_DURATION']) >= Number(allowed.attributes['authz_duration']),
    );
    assert.ok(Number(allowed.attributes['BYTES_SENT']) > 0);

    assert.equal(denied.body, 'GET');
    assert.equal(denied.attributes['http.status_code'], '503');
    assert.equal(denied.attributes['aperture.check_response'], checkResponse);
    // Envoy records ext_authz_duration only for allowed requests.
    assert.equal(denied.attributes['authz_duration'], '-');
    assert.equal(denied.attributes['RESPONSE_DURATION'], '-');
    assert.equal(denied.attributes['REQUEST_TX_DURATION'], '-');
  });

  it('logs "-" for the check response when the agent was not reached', async () => {
    const proxy = await startProxy(
      {
        upstream: { port: upstream.port },
        extAuthz: { target: `127.0.0.1:${await freePort()}` },
        accessLog: { target: agent.target },
      },
      { waitForAgentMs: 0 },
    );
    proxies.push(proxy);
    const before = agent.logRecords.length;
    await httpCall(`${proxy.url}/request`);
    await proxy.flushAccessLogs();
    await agent.waitForLogRecords(before + 1);
    assert.equal(agent.logRecords[before]?.attributes['aperture.check_response'], '-');
    assert.equal(agent.logRecords[before]?.attributes['authz_duration'], '-');
  });

  it('batches on its own: by the flush interval, and early when the buffer fills', async () => {
    agent.behaviour = () => ({ status: {} });
    const timed = await proxyWith({}, { accessLog: { target: agent.target, bufferFlushIntervalMs: 1000 } });
    let exportsBefore = agent.exports;
    let before = agent.logRecords.length;
    await Promise.all([1, 2, 3].map(() => httpCall(`${timed.url}/timed`)));
    // No flush call: the interval timer sends them, together.
    await agent.waitForLogRecords(before + 3);
    assert.ok(agent.exports - exportsBefore < 3, `${agent.exports - exportsBefore} exports for 3 records`);

    // Each record is a few hundred bytes; a 1000-byte buffer fills within a few records, long
    // before the 60 s interval.
    const sized = await proxyWith(
      {},
      { accessLog: { target: agent.target, bufferFlushIntervalMs: 60_000, bufferSizeBytes: 1000 } },
    );
    exportsBefore = agent.exports;
    before = agent.logRecords.length;
    for (let index = 0; index < 12; index += 1) await httpCall(`${sized.url}/sized`);
    await agent.waitForLogRecords(before + 1);
    assert.ok(agent.exports - exportsBefore >= 1);
    await sized.flushAccessLogs();
    await agent.waitForLogRecords(before + 12);
    assert.ok(agent.exports - exportsBefore >= 3, `${agent.exports - exportsBefore} exports`);
    assert.deepEqual([sized.stats().accessLogRecords, sized.stats().accessLogExportsFailed], [12, 0]);
  });
});

describe('proxy start', () => {
  it('rejects when its port is taken', async () => {
    const taken = await proxyWith();
    await assert.rejects(
      startProxy({
        listen: { port: taken.port },
        upstream: { port: upstream.port },
        extAuthz: { target: agent.target },
      }),
      /EADDRINUSE/,
    );
  });
});

describe('proxy admin endpoint', () => {
  it('serves counters as JSON and Prometheus text', async () => {
    agent.behaviour = () => ({ status: {} });
    const proxy = await proxyWith();
    await httpCall(`${proxy.url}/`);
    assert.ok(proxy.adminPort !== undefined);
    const json = JSON.parse((await httpCall(`http://127.0.0.1:${proxy.adminPort}/stats`)).body) as {
      requests: number;
      extAuthzOk: number;
    };
    assert.equal(json.extAuthzOk, 1);
    assert.equal(json.requests, 1);
    const metrics = await httpCall(`http://127.0.0.1:${proxy.adminPort}/metrics`);
    assert.match(metrics.body, /^sluice_proxy_ext_authz_ok_total 1$/m);
    assert.match(metrics.body, /^sluice_proxy_ext_authz_failure_mode_allowed_total 0$/m);
  });
});
