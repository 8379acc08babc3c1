import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { status, type ServiceError } from '@grpc/grpc-js';
import { freePort } from '@sluice/testkit';
import { parseAgentCommandLine } from '../src/config/agent-cli.js';
import { checkRequest, startAgent } from './support/agent-harness.js';
import { AgentProcess } from './support/agent-process.js';
import { checkClient } from './support/check-client.js';
import { flushMicrotasks, ManualClock } from '@sluice/clock/manual';

/*
 * The drain delay replaces the chart's `lifecycle.preStop.sleep`, which Kubernetes 1.28 does not have (alpha
 * in 1.29, beta and on by default in 1.30: KEP-3960). Kubernetes sends SIGTERM and removes the pod from
 * EndpointSlices at the same time, so the agent must go on answering until Envoy has dropped it.
 */

test('drainDelaySeconds: --drain-delay-seconds, SLUICE_AGENT_DRAIN_DELAY_SECONDS or the file; 0 by default, at most 300', () => {
  const run = (argv: string[], env: Record<string, string> = {}) => {
    const request = parseAgentCommandLine(argv, env);
    assert.ok(request.kind === 'run');
    return request.config.drainDelaySeconds;
  };
  assert.equal(run([]), 0);
  assert.equal(run(['--drain-delay-seconds', '7']), 7);
  assert.equal(run([], { SLUICE_AGENT_DRAIN_DELAY_SECONDS: '12' }), 12);
  assert.throws(() => run(['--drain-delay-seconds', '301']), /drainDelaySeconds.*301/);
});

test('during the drain delay readiness fails at once while Checks are still answered; the gRPC drain starts when the (injected) clock says so', async () => {
  const clock = new ManualClock();
  const h = await startAgent({ drainDelaySeconds: 5 }, { clock });
  const stopped = h.agent.stop();
  let done = false;
  void stopped.then(() => (done = true));
  await flushMicrotasks();
  assert.equal((await h.http('/readyz')).status, 503);
  assert.equal((await h.check(checkRequest(), { controlPoint: 'ingress' })).status.code, 0);
  clock.advance(4_999);
  await flushMicrotasks();
  assert.equal(done, false, 'still serving 1 ms before the delay ends');
  assert.equal((await h.check(checkRequest(), { controlPoint: 'ingress' })).status.code, 0);
  clock.advance(1);
  await stopped;
  await assert.rejects(
    h.check(checkRequest(), { controlPoint: 'ingress' }),
    (error: ServiceError) => error.code === status.UNAVAILABLE,
  );
  await h.close();
});

test('a real sluice-agent on SIGTERM with a 1 s delay: /readyz 503, Checks still OK, exit 0 no sooner than 1 s later', async () => {
  const agent = await AgentProcess.start([
    '--grpc-port',
    String(await freePort()),
    '--http-port',
    String(await freePort()),
    '--drain-delay-seconds',
    '1',
  ]);
  const client = checkClient(`127.0.0.1:${agent.grpcPort}`);
  try {
    assert.equal((await fetch(`http://127.0.0.1:${agent.httpPort}/readyz`)).status, 200);
    const sent = performance.now();
    const exit = agent.process.stop(15_000, 'SIGTERM');
    await agent.process.waitForLine(/SIGTERM: draining/, 5_000);
    assert.equal((await fetch(`http://127.0.0.1:${agent.httpPort}/readyz`)).status, 503);
    const during = await client.check(checkRequest(), { controlPoint: 'ingress' });
    assert.equal(during.status.code, 0);
    assert.equal((await exit).code, 0, agent.output());
    const elapsedMs = performance.now() - sent;
    assert.ok(elapsedMs >= 1_000, `exited ${elapsedMs.toFixed(0)} ms after SIGTERM`);
    // The delay, then the gRPC drain, which force-closes after its 10 s grace at the latest.
    assert.ok(elapsedMs < 12_000, `exited ${elapsedMs.toFixed(0)} ms after SIGTERM`);
  } finally {
    client.close();
    await agent.stop();
  }
});
