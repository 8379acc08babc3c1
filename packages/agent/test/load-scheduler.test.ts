import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DECISION_TTL_MS, LoadScheduler } from '../src/load-scheduler/load-scheduler.js';
import { queueTimeoutMs } from '../src/load-scheduler/queue-timeout.js';
import type { ComponentDecision } from '../src/pipeline/component-decision.js';
import { loadSchedulerConfig } from './support/compiled-components.js';
import { flushMicrotasks, ManualClock } from '@sluice/clock/manual';

const window = { slots: 10, slotMs: 100 };
const decision = (
  loadMultiplier: number,
  extra: Partial<{ passThrough: boolean; ttlMs: number; policyHash: string }> = {},
) => ({
  policyHash: 'hash-1',
  loadMultiplier,
  passThrough: false,
  ttlMs: 0,
  ...extra,
});

/**
 * Sends one 5-token request every 2 ms (500 rps) without a gap between phases; each phase starts
 * with its decision. Returns sent and accepted tokens per phase, by the time each request was sent.
 */
async function drive(
  scheduler: LoadScheduler,
  clock: ManualClock,
  phases: Array<{ durationMs: number; loadMultiplier: number }>,
) {
  const totals = phases.map(() => ({ sent: 0, accepted: 0 }));
  const settled: Array<Promise<void>> = [];
  for (const [index, phase] of phases.entries()) {
    scheduler.applyDecision(decision(phase.loadMultiplier));
    const total = totals[index] as { sent: number; accepted: number };
    for (let t = 0; t < phase.durationMs; t += 2) {
      total.sent += 5;
      settled.push(
        scheduler.decide({ labels: {}, deadlineMs: clock.now() + 250, lagMs: 0 }).then((d) => {
          if (d.admitted) total.accepted += d.tokens;
        }),
      );
      // decide() enters the queue synchronously; only the bookkeeping continuations wait for microtasks.
      clock.advance(2);
    }
  }
  clock.advance(300);
  await Promise.all(settled);
  return totals;
}

test('load-multiplier bucket admits LM × offered tokens within 15%, and again after a pause (acceptance check 12)', async () => {
  const clock = new ManualClock();
  const scheduler = new LoadScheduler(
    loadSchedulerConfig({ defaultWorkload: { name: 'default', labelMatcher: {}, priority: 1, tokens: 5 } }),
    { clock, window },
  );
  const [, first] = await drive(scheduler, clock, [
    { durationMs: 2000, loadMultiplier: 0 },
    { durationMs: 10_000, loadMultiplier: 0.7 },
  ]);
  assert.ok(
    first !== undefined && Math.abs(first.accepted / first.sent - 0.7) <= 0.7 * 0.15,
    `ratio ${first?.accepted}/${first?.sent}`,
  );
  clock.advance(5000);
  assert.equal(
    scheduler.bucket.counter.bootstrapping(clock.now()),
    true,
    'a pause longer than the window restarts bootstrapping',
  );
  const [, second] = await drive(scheduler, clock, [
    { durationMs: 2000, loadMultiplier: 0 },
    { durationMs: 10_000, loadMultiplier: 0.7 },
  ]);
  assert.ok(
    second !== undefined && Math.abs(second.accepted / second.sent - 0.7) <= 0.7 * 0.15,
    `ratio after pause ${second?.accepted}/${second?.sent}`,
  );
});

async function decideNow(
  scheduler: LoadScheduler,
  clock: ManualClock,
  labels: Record<string, string> = {},
): Promise<ComponentDecision> {
  const pending = scheduler.decide({ labels, deadlineMs: clock.now() + 250, lagMs: 0 });
  await flushMicrotasks();
  clock.advance(300);
  return pending;
}

test('accepts everything before the first decision, while bootstrapping, on pass-through, removal and expiry (acceptance check 13)', async () => {
  const clock = new ManualClock();
  const scheduler = new LoadScheduler(loadSchedulerConfig(), { clock, window });
  assert.equal((await decideNow(scheduler, clock)).reason, 'pass-through', 'no decision yet');
  scheduler.applyDecision(decision(0));
  assert.equal((await decideNow(scheduler, clock)).reason, 'bootstrapping', 'the window has not filled');
  for (let t = 0; t < 1200; t += 10) {
    void scheduler.decide({ labels: {}, deadlineMs: undefined, lagMs: 0 });
    clock.advance(10);
  }
  scheduler.applyDecision(decision(0));
  const throttled = await decideNow(scheduler, clock);
  assert.equal(throttled.admitted, false, 'LM 0 after bootstrapping rejects');
  assert.equal(throttled.reason, 'no-fill');
  assert.equal(scheduler.applyDecision(decision(0, { passThrough: true })), 'pass-through');
  assert.equal((await decideNow(scheduler, clock)).reason, 'pass-through');
  scheduler.applyDecision(decision(0));
  scheduler.removeDecision();
  assert.equal((await decideNow(scheduler, clock)).reason, 'pass-through', 'removed');
  scheduler.applyDecision(decision(0, { ttlMs: 5000 }));
  assert.equal((await decideNow(scheduler, clock)).admitted, false);
  clock.advance(5000);
  assert.equal((await decideNow(scheduler, clock)).reason, 'pass-through', 'expired on the agent clock');
  assert.equal(DEFAULT_DECISION_TTL_MS, 30_000);
});

test('a decision for another compile of the policy is ignored', () => {
  const scheduler = new LoadScheduler(loadSchedulerConfig(), { clock: new ManualClock(), window });
  assert.equal(scheduler.applyDecision(decision(0.5, { policyHash: 'old' })), 'stale-hash');
  assert.equal(scheduler.bucket.isPassThrough, true);
  assert.equal(scheduler.applyDecision(decision(-2)), 'applied-clamped');
});

test('the first matching workload wins, unmatched flows use the default, and the tokens label overrides tokens', async () => {
  const clock = new ManualClock();
  const scheduler = new LoadScheduler(
    loadSchedulerConfig({
      tokensLabelKey: 'tokens',
      workloads: [
        { name: 'guests', labelMatcher: { matchLabels: { user_type: 'guest' } }, priority: 1, tokens: 3 },
        { name: 'anyone', labelMatcher: {}, priority: 2, tokens: 7 },
      ],
    }),
    { clock, window },
  );
  assert.equal((await decideNow(scheduler, clock, { user_type: 'guest' })).workload, 'guests');
  const second = await decideNow(scheduler, clock, { user_type: 'subscriber' });
  assert.equal(second.workload, 'anyone');
  assert.equal(second.tokens, 7);
  assert.equal((await decideNow(scheduler, clock, { user_type: 'guest', tokens: '11' })).tokens, 11);
  const counts = scheduler.drainCounts();
  assert.deepEqual(counts.get('guests'), { incoming: 14, accepted: 14, rejected: 0 });
  assert.equal(scheduler.drainCounts().size, 0, 'drained');
});

test('queue timeout = deadline − margin − lag, capped by workload timeout and maxQueueTimeout', () => {
  const base = { nowMs: 1000, marginMs: 25, lagMs: 0, workloadTimeoutMs: undefined, maxQueueTimeoutMs: 1000 };
  assert.equal(queueTimeoutMs({ ...base, deadlineMs: 1250 }), 225);
  assert.equal(queueTimeoutMs({ ...base, deadlineMs: 1250, lagMs: 15 }), 210);
  assert.equal(queueTimeoutMs({ ...base, deadlineMs: 1250, workloadTimeoutMs: 100 }), 100);
  assert.equal(queueTimeoutMs({ ...base, deadlineMs: 5000 }), 1000);
  assert.equal(queueTimeoutMs({ ...base, deadlineMs: 1010 }), 0);
  assert.equal(queueTimeoutMs({ ...base, deadlineMs: undefined, workloadTimeoutMs: 300 }), 300);
  assert.equal(queueTimeoutMs({ ...base, deadlineMs: undefined }), 1000);
});

test('a queued flow whose tokens come too late is rejected by deadline − 25 ms (acceptance check 11)', async () => {
  const clock = new ManualClock();
  const scheduler = new LoadScheduler(loadSchedulerConfig(), { clock, window });
  // 10 tokens/s offered, LM 0.1 → 1 token/s fill.
  for (let t = 0; t < 1100; t += 100) {
    void scheduler.decide({ labels: {}, deadlineMs: undefined, lagMs: 0 });
    clock.advance(100);
  }
  scheduler.applyDecision(decision(0.1));
  scheduler.bucket.bypass(clock.now());
  scheduler.bucket.takeIfAvailable(clock.now(), scheduler.bucket.availableTokens(clock.now()));
  const start = clock.now();
  let answeredAt: number | undefined;
  const pending = scheduler.decide({ labels: {}, deadlineMs: start + 250, lagMs: 0 }).then((d) => {
    answeredAt = clock.now();
    return d;
  });
  await flushMicrotasks();
  for (let i = 0; i < 300 && answeredAt === undefined; i++) {
    clock.advance(1);
    await flushMicrotasks();
  }
  const result = await pending;
  assert.equal(result.admitted, false);
  assert.equal(result.deniedStatusCode, 503);
  assert.ok(
    answeredAt !== undefined && answeredAt - start <= 225,
    `answered after ${String((answeredAt ?? 0) - start)} ms`,
  );
});

test('dry run decides on available tokens without queueing and never blocks', async () => {
  const clock = new ManualClock();
  const scheduler = new LoadScheduler(loadSchedulerConfig({ dryRun: true }), { clock, window });
  for (let t = 0; t < 1100; t += 100) {
    void scheduler.decide({ labels: {}, deadlineMs: undefined, lagMs: 0 });
    clock.advance(100);
  }
  scheduler.applyDecision(decision(0));
  const result = await scheduler.decide({ labels: {}, deadlineMs: clock.now() + 250, lagMs: 0 });
  assert.equal(result.admitted, false);
  assert.equal(result.enforced, false);
  assert.equal(scheduler.queue.pending, 0);
});

test('bad workload parameters are refused with the workload named', () => {
  assert.throws(
    () =>
      new LoadScheduler(
        loadSchedulerConfig({
          defaultWorkload: { name: 'default', labelMatcher: {}, priority: 0, tokens: 1 },
        }),
        { clock: new ManualClock() },
      ),
    /workload default priority 0 must be > 0/,
  );
});

test('a decision sent with ttl 0 lapses after the default 30 s on the agent clock, counted once', async () => {
  const clock = new ManualClock();
  const expired: string[] = [];
  const scheduler = new LoadScheduler(loadSchedulerConfig(), {
    clock,
    window,
    onDecisionExpired: (s) => expired.push(s.identity.componentId),
  });
  scheduler.applyDecision(decision(0.5));
  clock.advance(29_999);
  assert.equal(scheduler.expireDecision(), false);
  assert.equal(scheduler.bucket.isPassThrough, false);
  clock.advance(1);
  assert.equal(scheduler.expireDecision(), true);
  assert.equal(scheduler.expireDecision(), false, 'expires once');
  assert.equal(scheduler.bucket.isPassThrough, true);
  assert.deepEqual(expired, ['scheduler']);
});
