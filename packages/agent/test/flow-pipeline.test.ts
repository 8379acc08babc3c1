import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoadScheduler } from '../src/load-scheduler/load-scheduler.js';
import { runPipeline } from '../src/pipeline/flow-pipeline.js';
import { RateLimiter } from '../src/rate-limiter/rate-limiter.js';
import type { BucketStore, BucketTake, BucketTakeResult } from '../src/token-bucket/bucket-store.js';
import { LocalBucketStore } from '../src/token-bucket/bucket-store-local.js';
import { loadSchedulerConfig, rateLimiterConfig } from './support/compiled-components.js';
import { ManualClock } from '@sluice/clock/manual';

/** Wraps the local store and records the order of calls, to observe stage ordering and give-backs. */
class RecordingStore implements BucketStore {
  readonly calls: string[] = [];
  constructor(private readonly inner: LocalBucketStore) {}
  async take(request: BucketTake): Promise<BucketTakeResult> {
    this.calls.push(`take ${request.key}`);
    return this.inner.take(request);
  }
  async giveBack(request: BucketTake): Promise<void> {
    this.calls.push(`giveBack ${request.key}`);
    return this.inner.giveBack(request);
  }
}

const flow = { labels: {}, deadlineMs: undefined, lagMs: 0 };
const noFailure = () => assert.fail('no component should fail');

function setup() {
  const clock = new ManualClock();
  const store = new RecordingStore(new LocalBucketStore({ clock }));
  const open = (id: string) =>
    new RateLimiter(rateLimiterConfig({ componentId: id, bucketCapacity: 100 }), store);
  const closed = new RateLimiter(
    rateLimiterConfig({ componentId: 'closed', bucketCapacity: 1, fillAmount: 0.5 }),
    store,
  );
  const scheduler = new LoadScheduler(loadSchedulerConfig(), { clock, window: { slots: 10, slotMs: 100 } });
  return { clock, store, open, closed, scheduler };
}

test('all accept: every limiter decides once and the scheduler runs after them (acceptance check 14)', async () => {
  const { store, open, scheduler } = setup();
  const result = await runPipeline(
    { rateLimiters: [open('a'), open('b'), open('c')], loadSchedulers: [scheduler] },
    flow,
    noFailure,
  );
  assert.equal(result.kind, 'admit');
  assert.deepEqual(
    result.decisions.map((d) => `${d.kind}:${d.identity.componentId}`),
    ['rate-limiter:a', 'rate-limiter:b', 'rate-limiter:c', 'load-scheduler:scheduler'],
  );
  assert.equal(store.calls.length, 3);
  assert.deepEqual(scheduler.drainCounts().get('default'), { incoming: 1, accepted: 1, rejected: 0 });
});

test('a rate-limiter rejection skips the scheduler and returns the other limiters\u2019 tokens, with 429 and retry-after', async () => {
  const { store, open, closed, scheduler } = setup();
  await closed.decide({});
  store.calls.length = 0;
  const result = await runPipeline(
    { rateLimiters: [open('a'), closed, open('b')], loadSchedulers: [scheduler] },
    flow,
    noFailure,
  );
  assert.equal(result.kind, 'reject');
  if (result.kind !== 'reject') return;
  assert.equal(result.statusCode, 429);
  // One token missing at 0.5 per second: 2 s.
  assert.equal(result.retryAfterSeconds, 2);
  assert.deepEqual(store.calls.filter((call) => call.startsWith('giveBack')).sort(), [
    'giveBack policy/a/default',
    'giveBack policy/b/default',
  ]);
  assert.equal(scheduler.drainCounts().size, 0, 'the scheduler never saw the flow');
});

test('retry-after rounds the wait up to whole seconds, at least 1', async () => {
  const { closed, scheduler, clock } = setup();
  await closed.decide({});
  clock.advance(1900); // 0.95 tokens: 100 ms short
  const result = await runPipeline({ rateLimiters: [closed], loadSchedulers: [scheduler] }, flow, noFailure);
  assert.equal(result.kind === 'reject' ? result.retryAfterSeconds : -1, 1);
});

test('a scheduler rejection returns the limiters\u2019 tokens and answers 503 without retry-after', async () => {
  const { store, open, scheduler, clock } = setup();
  for (let t = 0; t < 1100; t += 100) {
    void scheduler.decide(flow);
    clock.advance(100);
  }
  scheduler.applyDecision({ policyHash: 'hash-1', loadMultiplier: 0, passThrough: false, ttlMs: 0 });
  store.calls.length = 0;
  const result = await runPipeline(
    { rateLimiters: [open('a')], loadSchedulers: [scheduler] },
    flow,
    noFailure,
  );
  assert.equal(result.kind, 'reject');
  if (result.kind !== 'reject') return;
  assert.equal(result.statusCode, 503);
  assert.equal(result.retryAfterSeconds, undefined);
  assert.deepEqual(store.calls, ['take policy/a/default', 'giveBack policy/a/default']);
});

test('dry-run rejections are recorded but the flow is admitted', async () => {
  const { store } = setup();
  const dry = new RateLimiter(
    rateLimiterConfig({ componentId: 'dry', bucketCapacity: 1, dryRun: true }),
    store,
  );
  await dry.decide({});
  const result = await runPipeline({ rateLimiters: [dry], loadSchedulers: [] }, flow, noFailure);
  assert.equal(result.kind, 'admit');
  assert.equal(result.decisions[0]?.admitted, false);
  assert.equal(result.decisions[0]?.enforced, false);
});

test('a failing component fails open and is reported', async () => {
  const failing: BucketStore = {
    take: () => Promise.reject(new Error('backend down')),
    giveBack: () => Promise.resolve(),
  };
  const limiter = new RateLimiter(rateLimiterConfig(), failing);
  const failures: string[] = [];
  const result = await runPipeline({ rateLimiters: [limiter], loadSchedulers: [] }, flow, (_c, error) =>
    failures.push((error as Error).message),
  );
  assert.equal(result.kind, 'admit');
  assert.equal(result.decisions[0]?.reason, 'failed-open');
  assert.deepEqual(failures, ['backend down']);
});
