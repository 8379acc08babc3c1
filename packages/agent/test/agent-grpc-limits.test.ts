import assert from 'node:assert/strict';
import { test } from 'node:test';
import { status, type ServiceError } from '@grpc/grpc-js';
import { grpcReceiveLimitBytes, RECEIVE_LIMIT_MARGIN_BYTES } from '../src/grpc/grpc-limits.js';
import { checkRequest, startAgent } from './support/agent-harness.js';
import { checkClient } from './support/check-client.js';

test("the receive limit is Envoy's header limit + the ext_authz body + a 64 KiB margin: 132 KiB by default", () => {
  assert.equal(RECEIVE_LIMIT_MARGIN_BYTES, 65_536);
  assert.equal(grpcReceiveLimitBytes({ maxRequestHeadersKb: 60, maxRequestBytes: 8192 }), 135_168);
  assert.equal(grpcReceiveLimitBytes({ maxRequestHeadersKb: 96, maxRequestBytes: 65_536 }), 229_376);
});

test('a Check past the receive limit is refused with RESOURCE_EXHAUSTED; one just under it is answered', async () => {
  const h = await startAgent({ maxRequestHeadersKb: 8, maxRequestBytes: 0 });
  try {
    const limit = grpcReceiveLimitBytes({ maxRequestHeadersKb: 8, maxRequestBytes: 0 });
    const under = await h.check(checkRequest({ headers: { 'x-pad': 'p'.repeat(limit - 4096) } }), {
      controlPoint: 'ingress',
    });
    assert.equal(under.status?.code ?? 0, 0);
    await assert.rejects(
      h.check(checkRequest({ headers: { 'x-pad': 'p'.repeat(limit + 1) } }), { controlPoint: 'ingress' }),
      (error: ServiceError) => error.code === status.RESOURCE_EXHAUSTED,
    );
    // The refused message left the connection usable.
    const after = await h.check(checkRequest(), { controlPoint: 'ingress' });
    assert.equal(after.status?.code ?? 0, 0);
  } finally {
    await h.close();
  }
});

test('an invalid control point is INVALID_ARGUMENT naming the rule, counted, and never a label', async () => {
  const h = await startAgent();
  try {
    const cases = ['in gress', 'x'.repeat(129), '-ingress', 'ingress"}', 'ünïcode'];
    for (const controlPoint of cases) {
      await assert.rejects(
        h.check(checkRequest({}, { 'control-point': controlPoint })),
        (error: ServiceError) => {
          assert.equal(error.code, status.INVALID_ARGUMENT);
          assert.match(
            error.details,
            /^invalid control-point ".*"…? \(\d+ characters\): must be 1-128 characters of A-Z a-z 0-9 \. _ : \/ -, starting with a letter or digit$/,
          );
          assert.ok(error.details.length < 300, 'a long value is cut in the message');
          return true;
        },
      );
    }
    const metrics = (await h.http('/metrics')).body;
    assert.match(metrics, /sluice_agent_check_errors_total\{reason="invalid-control-point"\} 5/);
    assert.doesNotMatch(metrics, /in gress|xxxxxxxxxx|ünïcode/);
    assert.equal(h.agent.controlPoints.size, 0);
  } finally {
    await h.close();
  }
});

test('a Host that is not a service name is left out of the services, counted; the Check is answered', async () => {
  const h = await startAgent();
  try {
    for (const host of ['evil host', 'h'.repeat(300), '<script>'])
      await h.check(checkRequest({ host }), { controlPoint: 'ingress' });
    await h.check(checkRequest({ host: 'shop.example:8080' }), { controlPoint: 'ingress' });
    assert.deepEqual(
      h.agent.controlPoints.list().map((entry) => entry.service),
      ['', 'shop.example'],
    );
    assert.match((await h.http('/metrics')).body, /sluice_agent_service_names_refused_total 3/);
  } finally {
    await h.close();
  }
});

test('both listeners bind to bindAddress', async () => {
  const h = await startAgent({ bindAddress: '127.0.0.1' }, { host: undefined });
  try {
    assert.equal((await h.http('/healthz')).status, 200);
    await h.check(checkRequest(), { controlPoint: 'ingress' });
    // Nothing listens on the same ports through another loopback address.
    await assert.rejects(fetch(`http://127.0.0.2:${h.ports.httpPort}/healthz`));
  } finally {
    await h.close();
  }
});

test('an IPv6 bindAddress binds both listeners', async () => {
  const h = await startAgent({ bindAddress: '::1' }, { host: undefined });
  try {
    const response = await fetch(`http://[::1]:${h.ports.httpPort}/healthz`);
    assert.equal(response.status, 200);
    const client = checkClient(`[::1]:${h.ports.grpcPort}`);
    try {
      const answer = await client.check(checkRequest(), { controlPoint: 'ingress' });
      assert.equal(answer.status?.code ?? 0, 0);
    } finally {
      client.close();
    }
  } finally {
    await h.close();
  }
});
