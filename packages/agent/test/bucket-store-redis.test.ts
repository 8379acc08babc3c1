import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { redisUrl } from '@sluice/testkit';
import { Redis } from 'ioredis';
import { AgentMetrics } from '../src/metrics/agent-metrics.js';
import { LocalBucketStore } from '../src/token-bucket/bucket-store-local.js';
import { RedisBucketStore } from '../src/token-bucket/bucket-store-redis.js';
import { bucketStoreContract } from './support/bucket-store-contract.js';
import { ManualClock } from '@sluice/clock/manual';
import { RedisServer } from '@sluice/testkit';

/** Unique per run, so parallel runs against the shared Redis never collide. */
const runPrefix = `sluice-test:${process.pid}:${randomUUID()}:`;
const stores: RedisBucketStore[] = [];
const inspector = new Redis(redisUrl());

after(async () => {
  for (const store of stores) await store.close();
  const keys = await inspector.keys(`${runPrefix}*`);
  if (keys.length > 0) await inspector.del(...keys);
  inspector.disconnect();
});

function redisStore(options: {
  clock: ManualClock;
  url?: string;
  metrics?: AgentMetrics;
  callTimeoutMs?: number;
}) {
  const store = new RedisBucketStore({
    url: options.url ?? redisUrl(),
    keyPrefix: runPrefix,
    fallback: new LocalBucketStore({ clock: options.clock }),
    clock: options.clock,
    scriptNowMs: () => options.clock.now(),
    callTimeoutMs: options.callTimeoutMs ?? 500,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    circuit: { failureThreshold: 2, openMs: 1000 },
  });
  stores.push(store);
  return store;
}

bucketStoreContract('redis', async () => {
  const clock = new ManualClock({ startMs: 1_700_000_000_000 });
  const store = redisStore({ clock });
  await store.ready();
  const id = randomUUID();
  return { store, key: (name) => `${id}/${name}`, advance: async (ms) => clock.advance(ms) };
});

test('redis: one hash-tagged key per bucket, holding the state with an idle expiry', async () => {
  const clock = new ManualClock({ startMs: 1_700_000_000_000 });
  const store = redisStore({ clock });
  await store.ready();
  const key = `${randomUUID()}/limiter/user:alice`;
  const result = await store.take({
    key,
    tokens: 3,
    parameters: { capacity: 10, fillAmount: 1, intervalMs: 1000, continuousFill: true },
  });
  assert.deepEqual(
    { allowed: result.allowed, remaining: result.remaining, source: result.source },
    { allowed: true, remaining: 7, source: 'redis' },
  );
  assert.equal(store.redisKey(key), `${runPrefix}{${key}}`);
  assert.deepEqual(await inspector.hgetall(store.redisKey(key)), {
    available: '7',
    last: String(1_700_000_000_000),
  });
  const ttl = await inspector.pttl(store.redisKey(key));
  assert.ok(ttl > 7_000_000 && ttl <= 7_200_000, `pttl ${ttl}`);
});

test('redis: a refusal is cached locally until refill time, without another round trip', async () => {
  const clock = new ManualClock({ startMs: 1_700_000_000_000 });
  const metrics = new AgentMetrics({ processMetrics: false });
  const store = redisStore({ clock, metrics });
  await store.ready();
  const take = {
    key: `${randomUUID()}/neg`,
    tokens: 1,
    parameters: { capacity: 1, fillAmount: 1, intervalMs: 1000, continuousFill: true },
  };
  assert.equal((await store.take(take)).allowed, true);
  assert.equal((await store.take(take)).allowed, false);
  const cached = await store.take(take);
  assert.equal(cached.allowed, false);
  assert.ok(Math.abs(cached.waitMs - 1000) < 1);
  const counts = await metrics.redisCalls.get();
  const byOutcome = Object.fromEntries(counts.values.map((v) => [v.labels.outcome, v.value]));
  assert.deepEqual(byOutcome, { ok: 2, 'negative-cache': 1 });
  clock.advance(1000);
  assert.equal((await store.take(take)).allowed, true, 'after refill time Redis is asked again');
});

test('redis: calls to an unreachable server fall back to the local bucket, counted, and the circuit opens', async () => {
  const clock = new ManualClock();
  const metrics = new AgentMetrics({ processMetrics: false });
  const dead = await RedisServer.start();
  const url = dead.url;
  await dead.kill();
  const store = redisStore({ clock, metrics, url });
  const parameters = { capacity: 2, fillAmount: 1, intervalMs: 60_000, continuousFill: true };
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await store.take({ key: 'k', tokens: 1, parameters }));
  assert.deepEqual(
    results.map((r) => [r.allowed, r.source]),
    [
      [true, 'fallback'],
      [true, 'fallback'],
      [false, 'fallback'],
      [false, 'fallback'],
    ],
  );
  assert.equal(store.circuit.state, 'open');
  const outcomes = (await metrics.redisCalls.get()).values
    .map((v) => `${v.labels.outcome}=${v.value}`)
    .sort();
  assert.deepEqual(outcomes, ['circuit-open=2', 'error=2']);
});

test('redis: a paused server is abandoned at the call timeout; the circuit half-opens and closes after recovery', async () => {
  const server = await RedisServer.start();
  try {
    const clock = new ManualClock();
    const store = redisStore({ clock, url: server.url, callTimeoutMs: 100 });
    await store.ready();
    const staller = new Redis(server.url);
    // CLIENT PAUSE stalls every other client's commands once it has returned: a server that is up but not answering.
    await staller.call('CLIENT', 'PAUSE', '600', 'ALL');
    const parameters = { capacity: 5, fillAmount: 1, intervalMs: 1000, continuousFill: true };
    const started = performance.now();
    const first = await store.take({ key: 'stall', tokens: 1, parameters });
    const elapsed = performance.now() - started;
    assert.equal(first.source, 'fallback');
    assert.ok(elapsed < 600, `answered after ${elapsed.toFixed(0)} ms (call timeout 100 ms)`);
    await store.take({ key: 'stall', tokens: 1, parameters });
    assert.equal(store.circuit.state, 'open');
    // Answered only once the pause has lapsed: the server is back.
    await staller.ping();
    staller.disconnect();
    clock.advance(1000);
    const probe = await store.take({ key: 'stall', tokens: 1, parameters });
    assert.equal(probe.source, 'redis');
    assert.deepEqual(store.circuit.history, ['closed', 'open', 'half-open', 'closed']);
  } finally {
    await server.kill();
  }
});
