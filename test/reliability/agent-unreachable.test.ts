// The agent unreachable in two ways, under steady load: a black hole (connections accepted, never
// answered) and a killed process (connections refused). The proxy fails open either way, as Envoy
// with failure_mode_allow, and every request reaches the upstream. What it costs the client is
// measured against the same requests sent straight to the upstream at the same moments: the black
// hole adds the ext_authz timeout and no more, a refused connection adds next to nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, RunningProcess } from '@sluice/testkit';
import { parseProxyConfig } from '@sluice/proxy';
import { bin, CONTROL_POINT, Topology, type ProxyStats } from '@sluice/e2e-kit';
import { BlackHole } from './support/black-hole.js';
import { PairedProbe, type ProbeSeries } from './support/paired-probe.js';

/** The proxy's ext_authz timeout when none is configured (istioconfig's 0.25 s), as the topology runs it. */
const TIMEOUT_MS = parseProxyConfig(
  { upstream: { port: 1 }, extAuthz: { target: '127.0.0.1:1' } },
  'defaults',
).extAuthz.timeoutMs;
/** Past the timeout, a black-holed request may add this much (timer and event-loop slack on a busy machine). */
const BLACK_HOLE_SLACK_MS = 50;
/** A refused connection fails the Check at once: the proxy path may add this much at p99. */
const REFUSED_BOUND_MS = 30;
const RATE_PER_SECOND = 40;
const PHASE_MS = 5_000;

let topology: Topology;
let hole: BlackHole | undefined;
let holeProxy: RunningProcess | undefined;
const probes: PairedProbe[] = [];

before(async () => {
  topology = await Topology.start({ policies: {}, upstream: { concurrency: 100, latencyMs: 5 } });
});

after(async () => {
  for (const probe of probes) probe.close();
  await holeProxy?.stop();
  await hole?.close();
  await topology?.stop();
});

async function proxyStats(adminPort: number): Promise<ProxyStats> {
  const response = await fetch(`http://127.0.0.1:${adminPort}/stats`, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as ProxyStats;
}

/** A second proxy like the topology's, with its ext_authz and access-log target at `agentTarget`. */
async function startProxy(
  agentTarget: string,
): Promise<{ running: RunningProcess; url: string; adminPort: number }> {
  const port = await freePort();
  const adminPort = await freePort();
  const running = await RunningProcess.start({
    name: 'black-hole-proxy',
    args: [
      bin('proxy'),
      '--listen',
      `127.0.0.1:${port}`,
      '--upstream',
      `127.0.0.1:${topology.ports.upstream}`,
      '--agent',
      agentTarget,
      '--admin',
      `127.0.0.1:${adminPort}`,
      '--control-point',
      CONTROL_POINT,
      '--access-log',
      '--decision-header',
    ],
    readyLine: /sluice-proxy listening on/,
  });
  return { running, url: `http://127.0.0.1:${port}`, adminPort };
}

/** A probe of the upstream directly and through `proxyUrl`, its connections warmed. */
async function pairedProbe(proxyUrl: string): Promise<PairedProbe> {
  const probe = new PairedProbe({ direct: `http://127.0.0.1:${topology.ports.upstream}`, proxy: proxyUrl });
  probes.push(probe);
  await probe.run({ ratePerSecond: 20, durationMs: 500 });
  return probe;
}

/** What the proxy path added over the direct one, at p50 and p99. */
function added(run: Readonly<Record<string, ProbeSeries>>): { p50: number; p99: number } {
  const via = series(run, 'proxy');
  const direct = series(run, 'direct');
  return { p50: via.latency.p50Ms - direct.latency.p50Ms, p99: via.latency.p99Ms - direct.latency.p99Ms };
}

function series(run: Readonly<Record<string, ProbeSeries>>, name: string): ProbeSeries {
  const found = run[name];
  assert.ok(found, `no ${name} series`);
  return found;
}

function describe(phase: string, run: Readonly<Record<string, ProbeSeries>>): string {
  const via = series(run, 'proxy');
  const direct = series(run, 'direct');
  const extra = added(run);
  return (
    `${phase}: ${via.sent} requests ${JSON.stringify(via.decisions)}, p50/p99 ${via.latency.p50Ms.toFixed(1)}/${via.latency.p99Ms.toFixed(1)} ms ` +
    `vs direct ${direct.latency.p50Ms.toFixed(1)}/${direct.latency.p99Ms.toFixed(1)} ms: added ${extra.p50.toFixed(1)}/${extra.p99.toFixed(1)} ms`
  );
}

/** Every request answered 200 by the upstream, through the proxy as directly. */
function assertAllServed(phase: string, run: Readonly<Record<string, ProbeSeries>>): void {
  for (const [name, answers] of Object.entries(run)) {
    assert.equal(answers.failed, 0, `${phase} ${name}: ${answers.failed} unanswered`);
    assert.deepEqual(
      answers.statuses,
      { '200': answers.sent },
      `${phase} ${name}: ${JSON.stringify(answers.statuses)}`,
    );
  }
}

test('agent black-holed, then killed: the proxy fails open and adds at most the ext_authz timeout', async (t) => {
  const probe = await pairedProbe(topology.proxyUrl);
  // Healthy, for reference: the agent decides; the proxy path costs a Check and a hop.
  const healthy = await probe.run({ ratePerSecond: RATE_PER_SECOND, durationMs: 3_000 });
  assertAllServed('healthy', healthy);
  assert.deepEqual(series(healthy, 'proxy').decisions, { allowed: series(healthy, 'proxy').sent });

  // Black hole: a proxy whose agent address accepts connections and never answers.
  hole = await BlackHole.start();
  const holed = await startProxy(hole.target);
  holeProxy = holed.running;
  const holeProbe = await pairedProbe(holed.url);
  const holeBefore = await proxyStats(holed.adminPort);
  const blackHoled = await holeProbe.run({ ratePerSecond: RATE_PER_SECOND, durationMs: PHASE_MS });
  const holeAfter = await proxyStats(holed.adminPort);
  assertAllServed('black hole', blackHoled);
  const holeRequests = series(blackHoled, 'proxy').sent;
  assert.deepEqual(series(blackHoled, 'proxy').decisions, { 'failed-open': holeRequests });
  assert.equal(holeAfter.failureModeAllowed - holeBefore.failureModeAllowed, holeRequests);
  assert.equal(
    (holeAfter.extAuthzError['DEADLINE_EXCEEDED'] ?? 0) -
      (holeBefore.extAuthzError['DEADLINE_EXCEEDED'] ?? 0),
    holeRequests,
    JSON.stringify(holeAfter.extAuthzError),
  );
  assert.ok(hole.accepted >= 1, 'the proxy never connected to the black hole');

  // Killed: the agent process is gone and its port refuses connections.
  await topology.agent.kill();
  const statsBefore = await topology.proxyStats();
  const killed = await probe.run({ ratePerSecond: RATE_PER_SECOND, durationMs: PHASE_MS });
  const statsAfter = await topology.proxyStats();
  assertAllServed('killed', killed);
  const killedRequests = series(killed, 'proxy').sent;
  assert.deepEqual(series(killed, 'proxy').decisions, { 'failed-open': killedRequests });
  assert.equal(statsAfter.failureModeAllowed - statsBefore.failureModeAllowed, killedRequests);

  t.diagnostic(`ext_authz timeout ${TIMEOUT_MS} ms; ${describe('healthy', healthy)}`);
  t.diagnostic(describe('black hole', blackHoled));
  t.diagnostic(describe('killed', killed));
  const holeAdded = added(blackHoled);
  const killedAdded = added(killed);
  // The black hole costs the whole timeout (the proxy did wait for the agent), and no more.
  assert.ok(holeAdded.p50 >= TIMEOUT_MS - 5, `black hole added ${holeAdded.p50} ms at p50`);
  assert.ok(
    holeAdded.p99 <= TIMEOUT_MS + BLACK_HOLE_SLACK_MS,
    `black hole added ${holeAdded.p99} ms at p99 (timeout ${TIMEOUT_MS} ms)`,
  );
  // A refused connection fails the Check at once.
  assert.ok(killedAdded.p99 <= REFUSED_BOUND_MS, `a killed agent added ${killedAdded.p99} ms at p99`);
});
