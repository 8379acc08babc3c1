import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_FLOW_TOKENS, RateLimiter, flowTokens } from '../src/rate-limiter/rate-limiter.js';
import { LocalBucketStore } from '../src/token-bucket/bucket-store-local.js';
import { rateLimiterConfig } from './support/compiled-components.js';
import { ManualClock } from '@sluice/clock/manual';

const config = rateLimiterConfig({
  bucketCapacity: 40,
  fillAmount: 2,
  intervalMs: 1000,
  limitByLabelKey: 'http.request.header.user_id',
  tokensLabelKey: 'http.request.header.tokens',
});

test('per-user buckets: a burst of capacity/tokens, then fill/tokens per second (acceptance check 6)', async () => {
  const clock = new ManualClock({ startMs: 1_000_000 });
  const limiter = new RateLimiter(config, new LocalBucketStore({ clock }));
  const accepted = new Map<string, number>();
  const waits: number[] = [];
  // 5 users, 10 requests per second each, 2 tokens per request, for 10 s.
  for (let step = 0; step < 100; step++) {
    for (let user = 0; user < 5; user++) {
      const decision = await limiter.decide({
        'http.request.header.user_id': `u${user}`,
        'http.request.header.tokens': '2',
      });
      if (decision.admitted) accepted.set(`u${user}`, (accepted.get(`u${user}`) ?? 0) + 1);
      else waits.push(decision.waitMs ?? -1);
    }
    clock.advance(100);
  }
  // 40 / 2 = 20 burst requests, then 2 tokens/s ÷ 2 = 1 request/s for the ~10 s that follow.
  for (const [user, count] of accepted) assert.ok(count >= 29 && count <= 30, `${user} admitted ${count}`);
  assert.equal(accepted.size, 5);
  assert.ok(
    waits.length > 0 && waits.every((wait) => wait > 0 && wait <= 1000),
    'each refusal says when 2 tokens will be there (≤ 1 s)',
  );
});

test('a flow without the limit label is admitted and marked label-missing', async () => {
  const limiter = new RateLimiter(
    config,
    new LocalBucketStore({ clock: new ManualClock({ startMs: 1_000_000 }) }),
  );
  const decision = await limiter.decide({ 'http.method': 'GET' });
  assert.equal(decision.admitted, true);
  assert.equal(decision.reason, 'label-missing');
});

test('a dry-run limiter reports its refusal as not enforced', async () => {
  const limiter = new RateLimiter(
    rateLimiterConfig({ bucketCapacity: 1, dryRun: true }),
    new LocalBucketStore({ clock: new ManualClock({ startMs: 1_000_000 }) }),
  );
  await limiter.decide({});
  const second = await limiter.decide({});
  assert.equal(second.admitted, false);
  assert.equal(second.enforced, false);
});

test('the tokens label must hold a finite number >= the configured tokens and > 0, otherwise those are used', () => {
  assert.equal(flowTokens({ t: '2.5' }, 't', 1), 2.5);
  assert.equal(flowTokens({ t: '1' }, 't', 1), 1);
  // A label never makes a flow cheaper: 0 and tiny costs would let every request through a limit.
  for (const cheap of ['0', '0.0000001', '0.99', '-0', '-1', 'abc', '', 'Infinity', 'NaN', '-Infinity'])
    assert.equal(flowTokens({ t: cheap }, 't', 1), 1, cheap);
  assert.equal(flowTokens({ t: '2' }, 't', 3), 3, 'below the workload tokens');
  assert.equal(
    flowTokens({ t: '0' }, 't', 0),
    0,
    'a free workload stays free; 0 is never taken from a label',
  );
  assert.equal(flowTokens({ t: '0.5' }, 't', 0), 0.5);
  assert.equal(flowTokens({}, 't', 1), 1);
});

test('a tokens label past 2^53 − 1 falls back: client baggage cannot overflow token-rate sums', () => {
  assert.equal(flowTokens({ t: String(MAX_FLOW_TOKENS) }, 't', 1), 2 ** 53 - 1);
  for (const bad of ['1e308', '9007199254740993', '1.8e19'])
    assert.equal(flowTokens({ t: bad }, 't', 1), 1, bad);
});

test('bad bucket parameters are refused with the field and value named', () => {
  assert.throws(
    () =>
      new RateLimiter(
        rateLimiterConfig({ bucketCapacity: 0 }),
        new LocalBucketStore({ clock: new ManualClock({ startMs: 1_000_000 }) }),
      ),
    /rate limiter policy\/limiter: bucketCapacity 0 must be a finite number > 0/,
  );
  assert.throws(
    () =>
      new RateLimiter(
        rateLimiterConfig({ intervalMs: -5, fillAmount: -1 }),
        new LocalBucketStore({ clock: new ManualClock({ startMs: 1_000_000 }) }),
      ),
    /fillAmount -1 .*intervalMs -5/,
  );
});
