import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WfqScheduler, type ScheduleOutcome, type WfqRequest } from '../src/load-scheduler/scheduler-wfq.js';
import { FixedRateSource } from './support/fixed-rate-source.js';
import { flushMicrotasks, ManualClock } from '@sluice/clock/manual';

interface Stream {
  readonly request: Omit<WfqRequest, 'timeoutMs'>;
  /** Requests per second. */
  readonly rps: number;
}

/** Drives streams through a scheduler in 1 ms steps; returns admitted tokens per stream key. */
async function run(options: {
  streams: Record<string, Stream>;
  fillPerSecond: number;
  timeoutMs: number;
  durationMs: number;
}) {
  const clock = new ManualClock();
  const scheduler = new WfqScheduler(new FixedRateSource(options.fillPerSecond, 0), clock);
  const admitted = new Map<string, number>(Object.keys(options.streams).map((key) => [key, 0]));
  const rejected = new Map<string, number>(Object.keys(options.streams).map((key) => [key, 0]));
  const record = (key: string, tokens: number, outcome: ScheduleOutcome) => {
    const map = outcome.kind === 'admit' ? admitted : rejected;
    map.set(key, (map.get(key) ?? 0) + tokens);
  };
  for (let t = 0; t < options.durationMs; t++) {
    for (const [key, stream] of Object.entries(options.streams)) {
      const every = 1000 / stream.rps;
      if (Math.floor(t / every) !== Math.floor((t - 1) / every) || t === 0) {
        const result = scheduler.submit({ ...stream.request, timeoutMs: options.timeoutMs });
        if (result.kind === 'queued')
          void result.outcome.then((outcome) => record(key, stream.request.tokens, outcome));
        else record(key, stream.request.tokens, result);
      }
    }
    // Outcomes are recorded in continuations; the scheduler itself is synchronous, so no flush per step.
    clock.advance(1);
  }
  clock.advance(options.timeoutMs + 1000);
  await flushMicrotasks();
  return { admitted, rejected, scheduler };
}

test('priority shares: each workload gets fill × priority ÷ Σ priority within 15% (acceptance check 8)', async () => {
  // 4 workloads × 100 rps × 5 tokens = 2000 tokens/s offered; fill 1000/s; invPriority 1/1/1/50.
  const streams: Record<string, Stream> = {};
  const priorities = [1, 1, 1, 1 / 50];
  priorities.forEach((priority, index) => {
    streams[`w${index}`] = { request: { workload: `w${index}`, priority, tokens: 5 }, rps: 100 };
  });
  const { admitted, scheduler } = await run({
    streams,
    fillPerSecond: 1000,
    timeoutMs: 50,
    durationMs: 10_000,
  });
  const sum = priorities.reduce((a, b) => a + b, 0);
  let total = 0;
  priorities.forEach((priority, index) => {
    const expected = (1000 * priority * 10) / sum;
    const got = admitted.get(`w${index}`) ?? 0;
    total += got;
    assert.ok(got >= expected * 0.85, `w${index}: ${got} tokens, allocated ${expected.toFixed(0)}`);
  });
  assert.ok(Math.abs(total - 10_000) <= 1500, `total ${total} ≈ 10000`);
  assert.equal(scheduler.pending, 0);
  assert.equal(scheduler.queueOpen, false);
  assert.equal(scheduler.activeFlows, 0);
  assert.ok(scheduler.generation >= 1, 'the busy period closed');
});

test('equal priorities get equal tokens within 15% (acceptance check 9)', async () => {
  const streams: Record<string, Stream> = {
    a: { request: { workload: 'a', priority: 1, tokens: 1 }, rps: 400 },
    b: { request: { workload: 'b', priority: 1, tokens: 1 }, rps: 400 },
  };
  const { admitted } = await run({ streams, fillPerSecond: 400, timeoutMs: 50, durationMs: 5000 });
  const a = admitted.get('a') ?? 0;
  const b = admitted.get('b') ?? 0;
  assert.ok(Math.abs(a - b) / Math.max(a, b) < 0.15, `a ${a}, b ${b}`);
});

test('fairness label: 5 users at 50 rps in one workload are not starved by 1 user at 250 rps in another', async () => {
  const streams: Record<string, Stream> = {
    heavy: { request: { workload: 'other', priority: 1, tokens: 1 }, rps: 250 },
  };
  for (let user = 0; user < 5; user++)
    streams[`u${user}`] = {
      request: { workload: 'users', priority: 1, tokens: 1, fairnessKey: `u${user}` },
      rps: 50,
    };
  const { admitted } = await run({ streams, fillPerSecond: 250, timeoutMs: 50, durationMs: 6000 });
  const users = [0, 1, 2, 3, 4].map((user) => admitted.get(`u${user}`) ?? 0);
  const heavy = admitted.get('heavy') ?? 0;
  const usersTotal = users.reduce((a, b) => a + b, 0);
  assert.ok(
    Math.abs(usersTotal - heavy) / heavy < 0.15,
    `users ${usersTotal} vs heavy ${heavy}: workloads share equally`,
  );
  const mean = usersTotal / 5;
  for (const got of users)
    assert.ok(Math.abs(got - mean) / mean < 0.15, `each user near ${mean}: ${users.join(',')}`);
});

test('zero fill rate rejects every request with tokens at once; zero-token requests pass (acceptance check 10)', async () => {
  const clock = new ManualClock();
  const scheduler = new WfqScheduler(new FixedRateSource(0, 0), clock);
  const queued = scheduler.submit({ workload: 'w', priority: 1, tokens: 1, timeoutMs: 200 });
  assert.equal(queued.kind, 'queued');
  await flushMicrotasks();
  const outcome = queued.kind === 'queued' ? await queued.outcome : queued;
  assert.deepEqual(outcome, { kind: 'reject', reason: 'no-fill', queuedMs: 0 });
  assert.deepEqual(scheduler.submit({ workload: 'w', priority: 1, tokens: 0, timeoutMs: 200 }), {
    kind: 'admit',
    reason: 'zero-tokens',
    queuedMs: 0,
  });
});

test('a head whose tokens arrive after its deadline is rejected at once, not at the deadline (acceptance check 11)', async () => {
  const clock = new ManualClock();
  // 1 token per second: the second request's token is 1000 ms away, its deadline 225 ms.
  const scheduler = new WfqScheduler(new FixedRateSource(1, 0, 1), clock);
  clock.advance(1000);
  assert.equal(scheduler.submit({ workload: 'w', priority: 1, tokens: 1, timeoutMs: 225 }).kind, 'admit');
  const second = scheduler.submit({ workload: 'w', priority: 1, tokens: 1, timeoutMs: 225 });
  assert.equal(second.kind, 'queued');
  const outcome = second.kind === 'queued' ? await second.outcome : second;
  assert.deepEqual(outcome, { kind: 'reject', reason: 'queue-timeout', queuedMs: 0 });
});

test('a queued request behind a waiting head is rejected exactly at its timeout', async () => {
  const clock = new ManualClock();
  const scheduler = new WfqScheduler(new FixedRateSource(10, 0, 10), clock);
  const head = scheduler.submit({ workload: 'w', priority: 1, tokens: 1, timeoutMs: 500 });
  const behind = scheduler.submit({ workload: 'w', priority: 1, tokens: 2, timeoutMs: 150 });
  assert.equal(head.kind, 'queued');
  assert.equal(behind.kind, 'queued');
  let behindOutcome: ScheduleOutcome | undefined;
  if (behind.kind === 'queued') void behind.outcome.then((o) => (behindOutcome = o));
  clock.advance(100);
  await flushMicrotasks();
  // Head got its token at 100 ms; next head needs 2 tokens = 200 ms > its remaining 50 ms: rejected now.
  assert.deepEqual(behindOutcome, { kind: 'reject', reason: 'queue-timeout', queuedMs: 100 });
  const headOutcome = head.kind === 'queued' ? await head.outcome : head;
  assert.deepEqual(headOutcome, { kind: 'admit', reason: 'queued-then-admitted', queuedMs: 100 });
});

test('timeout 0 means admit now or reject now', () => {
  const clock = new ManualClock();
  const scheduler = new WfqScheduler(new FixedRateSource(1, 0, 1), clock);
  assert.deepEqual(scheduler.submit({ workload: 'w', priority: 1, tokens: 1, timeoutMs: 0 }), {
    kind: 'reject',
    reason: 'queue-timeout',
    queuedMs: 0,
  });
});

test('under endless overload, flow state stays bounded by the waiting requests, not by every fairness key seen', () => {
  const clock = new ManualClock();
  const scheduler = new WfqScheduler(new FixedRateSource(100, 0), clock);
  let maxFlows = 0;
  for (let t = 0; t < 5000; t += 5) {
    // 200 rps against 100 tokens/s, each request from a new user: the queue never empties.
    void scheduler.submit({
      workload: 'w',
      priority: 1,
      tokens: 1,
      fairnessKey: `user-${t}`,
      timeoutMs: 100,
    });
    clock.advance(5);
    maxFlows = Math.max(maxFlows, scheduler.activeFlows - scheduler.pending);
  }
  assert.equal(scheduler.queueOpen, true, 'still overloaded');
  assert.ok(maxFlows <= 2, `idle flows kept: ${maxFlows}`);
});
