// The controller is down for 60 s while an average-latency policy throttles an overload. The agent
// keeps its last decision until the decision's time-to-live runs out on its own clock, then passes
// through for the rest of the outage; it retries the controller with full-jitter backoff whose
// ceiling doubles up to its cap; once the controller is back (restoring its baseline from the state
// directory) the agent resyncs and control resumes on the first tick with reports.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { overloadWavePlan, startLoad, type LoadRun } from '@sluice/demo';
import { averageLatencyPolicy, LoopRecorder, metricValue, Topology } from '@sluice/e2e-kit';
import { waitFor } from '@sluice/testkit';

const OUTAGE_MS = 60_000;
/**
 * Offered load over capacity while overloaded. Mild on purpose: once the decision lapses the upstream
 * takes it all for ~50 s, and its queue grows by (OVERLOAD − 1) × 50 s of work. Past the clients' 10 s
 * timeout no flow would end OK, the controller would have no latency signal at all, and control could
 * not resume (seen at 2× capacity: `no-signal` for as long as the overload lasted).
 */
const OVERLOAD = 1.1;
const TTL_MS = 8_000;
/** As controller-restart.test.ts: a long baseline, so the restored one is trusted at once. */
const BASELINE_MS = 35_000;
/** The agent's reconnect backoff (packages/agent/src/controller-link/reconnect-backoff.ts defaults). */
const BACKOFF_INITIAL_MS = 500;
const BACKOFF_CAP_MS = 5_000;

let topology: Topology;
let load: LoadRun | undefined;
let recorder: LoopRecorder | undefined;

before(async () => {
  topology = await Topology.start({
    policies: {
      'service-protection': averageLatencyPolicy('service-protection', { decisionTtl: `${TTL_MS / 1000}s` }),
    },
    upstream: { concurrency: 4, latencyMs: 100 },
  });
});

after(async () => {
  recorder?.stop();
  await load?.stop();
  await topology?.stop();
});

/** The agent's load multiplier: −1 in pass-through. */
async function agentLoadMultiplier(): Promise<number | undefined> {
  return metricValue(
    await topology.agentMetrics(),
    'sluice_agent_scheduler_state',
    'field="load_multiplier"',
  );
}

/** Reconnect delays the agent logged (`controller stream closed`, `reconnectInMs`) from line `from` on. */
function reconnectDelays(from: number): { atLine: number; delayMs: number }[] {
  const delays: { atLine: number; delayMs: number }[] = [];
  topology.agent.lines.slice(from).forEach((line, index) => {
    if (!line.includes('"controller stream closed"')) return;
    const parsed = JSON.parse(line) as { reconnectInMs?: number };
    if (typeof parsed.reconnectInMs === 'number')
      delays.push({ atLine: from + index, delayMs: parsed.reconnectInMs });
  });
  return delays;
}

test('controller down 60 s: decisions kept until their TTL, then pass-through; backoff to its cap; control resumes at once', async (t) => {
  load = startLoad(
    overloadWavePlan({
      capacityRps: topology.upstreamCapacityRps,
      baselineMs: BASELINE_MS,
      overloadMs: 600_000,
      recoveryMs: 1_000,
      subscriberShare: 0.6,
      guestShare: OVERLOAD - 0.6,
    }),
    { target: topology.proxyUrl },
  );
  await waitFor(
    async () => {
      const lm = await agentLoadMultiplier();
      return lm !== undefined && lm >= 0 && lm < 1;
    },
    {
      timeoutMs: BASELINE_MS + 20_000,
      intervalMs: 250,
      what: 'the agent throttling (LM < 1) under overload',
    },
  );

  // A clean stop (SIGTERM: the controller saves its baselines), then 60 s without a controller.
  const fromLine = topology.agent.lineCount;
  const stoppedAt = Date.now();
  const exit = await topology.controller.stop();
  assert.equal(exit.code, 0);
  const kept: number[] = [];
  const expiredAt = await waitFor(
    async () => {
      const lm = await agentLoadMultiplier();
      if (lm !== undefined && lm >= 0) kept.push(Date.now() - stoppedAt);
      return lm === -1 ? Date.now() : undefined;
    },
    {
      timeoutMs: TTL_MS + 5_000,
      intervalMs: 200,
      what: 'the agent passing through once the decision expired',
    },
  );
  const heldMs = expiredAt - stoppedAt;
  assert.ok(
    heldMs >= TTL_MS - 1_500,
    `the agent dropped the decision ${heldMs} ms after the stop (TTL ${TTL_MS} ms)`,
  );
  assert.ok(
    Math.max(...kept) >= TTL_MS - 2_000,
    `the decision was last seen ${Math.max(...kept)} ms after the stop`,
  );
  // Pass-through for the rest of the outage: sampled every second, never a stale decision again.
  const outageSamples: number[] = [];
  while (Date.now() - stoppedAt < OUTAGE_MS) {
    outageSamples.push((await agentLoadMultiplier()) ?? Number.NaN);
    // Sampling pace during a fixed-length outage, not synchronisation.
    await delay(Math.min(1_000, Math.max(0, stoppedAt + OUTAGE_MS - Date.now())));
  }
  assert.ok(
    outageSamples.every((lm) => lm === -1),
    `load multipliers during the outage after the TTL: ${outageSamples.join(',')}`,
  );
  const metrics = await topology.agentMetrics();
  assert.ok(
    (metricValue(metrics, 'sluice_agent_load_decisions_total', 'outcome="expired"') ?? 0) >= 1,
    'no expired decision counted',
  );
  assert.equal(metricValue(metrics, 'sluice_agent_controller_connected'), 0);
  const outageDelays = reconnectDelays(fromLine);

  const restartAt = Date.now();
  await topology.startController();
  const readyAt = Date.now();
  recorder = new LoopRecorder(topology, readyAt, 200);
  // The agent's next attempt comes within its current backoff ceiling (the cap by now).
  await topology.waitForAgentSynced(BACKOFF_CAP_MS + 15_000);
  const syncedMs = Date.now() - readyAt;
  const throttling = await waitFor(
    () => recorder?.first(0, (sample) => !sample.passThrough && sample.loadMultiplier < 1),
    { timeoutMs: 10_000, intervalMs: 100, what: 'the restarted controller throttling once reports arrive' },
  ).finally(() => {
    if (process.env['SLUICE_E2E_TRACE'])
      for (const s of recorder?.samples ?? [])
        console.log(`${s.t} ${s.state} lm=${s.loadMultiplier} sig=${s.signalMs} set=${s.setpointMs}`);
  });
  const warming = recorder.samples.filter((sample) => sample.state === 'warming-up');
  await waitFor(
    async () => {
      const lm = await agentLoadMultiplier();
      return lm !== undefined && lm >= 0 && lm < 1;
    },
    { timeoutMs: 5_000, intervalMs: 100, what: 'the agent throttling again' },
  );
  const delays = outageDelays.map((entry) => entry.delayMs);
  t.diagnostic(
    `decision held ${heldMs} ms after the stop (TTL ${TTL_MS} ms), then pass-through for the remaining ${OUTAGE_MS - heldMs} ms; ` +
      `${delays.length} reconnect attempts in the ${OUTAGE_MS / 1000} s outage, delays ${delays.join(', ')} ms; ` +
      `agent resynced ${Date.now() - restartAt} ms after the restart began (${syncedMs} ms after the controller was ready); ` +
      `throttling (LM ${throttling.loadMultiplier.toFixed(3)}) ${throttling.t - syncedMs} ms after the resync was seen`,
  );

  assert.deepEqual(warming, [], 'the restarted controller warmed up again instead of restoring its baseline');
  // The first tick with reports cuts: within a couple of ticks of the resync (polling adds its share).
  assert.ok(
    throttling.t - syncedMs <= 3_000,
    `control resumed ${throttling.t - syncedMs} ms after the resync`,
  );
  // Back within the backoff: gRPC redials within its capped reconnect backoff (≤ cap, +20% jitter),
  // and the agent's next Connect comes within its current delay (< cap).
  assert.ok(syncedMs <= 2 * BACKOFF_CAP_MS + 3_000, `resynced ${syncedMs} ms after the controller was ready`);
  // Backoff: the k-th retry waits a uniform draw below min(cap, initial × 2^k), so no wait exceeds the
  // cap, and retries keep coming at least once per cap.
  delays.forEach((delayMs, attempt) => {
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_INITIAL_MS * 2 ** attempt);
    assert.ok(delayMs < ceiling, `attempt ${attempt} waited ${delayMs} ms, ceiling ${ceiling} ms`);
  });
  assert.ok(
    delays.length >= OUTAGE_MS / BACKOFF_CAP_MS - 1,
    `${delays.length} reconnect attempts in ${OUTAGE_MS} ms`,
  );
  // It grew: once the ceiling is the cap, waits average about half the cap (a retry that stayed at
  // the first ceiling would average 250 ms, 240 attempts a minute), and some come near the cap.
  const atCap = delays.slice(Math.ceil(Math.log2(BACKOFF_CAP_MS / BACKOFF_INITIAL_MS)));
  const meanAtCap = atCap.reduce((sum, value) => sum + value, 0) / atCap.length;
  assert.ok(meanAtCap >= BACKOFF_CAP_MS / 4, `waits at the cap average ${meanAtCap.toFixed(0)} ms`);
  assert.ok(Math.max(...atCap) >= BACKOFF_CAP_MS / 2, `no wait near the cap: ${delays.join(', ')}`);
  assert.ok(delays.length <= (2 * OUTAGE_MS) / (BACKOFF_CAP_MS / 2), `${delays.length} reconnect attempts`);
});
