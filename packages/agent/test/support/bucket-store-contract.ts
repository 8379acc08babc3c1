import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BucketParameters } from '../../src/token-bucket/bucket-parameters.js';
import type { BucketStore } from '../../src/token-bucket/bucket-store.js';

/**
 * One behavioural contract for every BucketStore backend. `advance(ms)` moves the backend's clock
 * (a manual clock for the local store; for Redis the suite uses fill rates slow enough that real
 * elapsed time during a test is negligible, and advance waits in real time only where asked).
 */
export interface BucketStoreHarness {
  readonly store: BucketStore;
  /** A key prefix unique to this test. */
  readonly key: (name: string) => string;
  /** Moves time forward by `ms` as the store sees it. */
  readonly advance: (ms: number) => Promise<void>;
}

const slow: BucketParameters = { capacity: 10, fillAmount: 1, intervalMs: 3_600_000, continuousFill: true };

export function bucketStoreContract(name: string, makeHarness: () => Promise<BucketStoreHarness>): void {
  test(`${name}: a new bucket starts full and admits exactly capacity`, async () => {
    const h = await makeHarness();
    const key = h.key('full');
    let admitted = 0;
    for (let i = 0; i < 15; i++)
      if ((await h.store.take({ key, tokens: 1, parameters: slow })).allowed) admitted++;
    assert.equal(admitted, 10);
  });

  test(`${name}: a refusal takes nothing and reports the wait until the deficit refills`, async () => {
    const h = await makeHarness();
    const key = h.key('wait');
    const parameters: BucketParameters = {
      capacity: 4,
      fillAmount: 2,
      intervalMs: 60_000,
      continuousFill: true,
    };
    assert.equal((await h.store.take({ key, tokens: 3, parameters })).allowed, true);
    const refused = await h.store.take({ key, tokens: 4, parameters });
    assert.equal(refused.allowed, false);
    assert.ok(Math.abs(refused.remaining - 1) < 0.01, `remaining ${refused.remaining}`);
    // Deficit 3 tokens at 2 per 60 s = 90 s.
    assert.ok(Math.abs(refused.waitMs - 90_000) < 100, `waitMs ${refused.waitMs}`);
    assert.equal(
      (await h.store.take({ key, tokens: 1, parameters })).allowed,
      true,
      'the refused take left the tokens in place',
    );
  });

  test(`${name}: given-back tokens can be taken again, capped at capacity`, async () => {
    const h = await makeHarness();
    const key = h.key('give-back');
    const parameters = { ...slow, capacity: 3 };
    for (let i = 0; i < 3; i++)
      assert.equal((await h.store.take({ key, tokens: 1, parameters })).allowed, true);
    assert.equal((await h.store.take({ key, tokens: 1, parameters })).allowed, false);
    await h.store.giveBack({ key, tokens: 2, parameters });
    assert.equal((await h.store.take({ key, tokens: 2, parameters })).allowed, true);
    await h.store.giveBack({ key, tokens: 50, parameters });
    const after = await h.store.take({ key, tokens: 1, parameters });
    assert.ok(
      after.allowed && Math.abs(after.remaining - 2) < 0.01,
      `capped at 3, remaining ${after.remaining}`,
    );
  });

  test(`${name}: continuous fill accrues fractionally; interval fill lands per whole interval`, async () => {
    const h = await makeHarness();
    const continuous: BucketParameters = {
      capacity: 10,
      fillAmount: 10,
      intervalMs: 1000,
      continuousFill: true,
    };
    const stepped: BucketParameters = { ...continuous, continuousFill: false };
    for (const [label, parameters] of [
      ['c', continuous],
      ['s', stepped],
    ] as const) {
      assert.equal((await h.store.take({ key: h.key(label), tokens: 10, parameters })).allowed, true);
    }
    await h.advance(550);
    const c = await h.store.take({ key: h.key('c'), tokens: 5, parameters: continuous });
    const s = await h.store.take({ key: h.key('s'), tokens: 1, parameters: stepped });
    assert.equal(c.allowed, true, 'about 5.5 tokens accrued');
    assert.equal(s.allowed, false, 'no whole interval has passed');
    assert.ok(s.waitMs > 300 && s.waitMs <= 450, `interval wait ${s.waitMs}`);
    await h.advance(500);
    assert.equal(
      (await h.store.take({ key: h.key('s'), tokens: 10, parameters: stepped })).allowed,
      true,
      'one whole interval added fillAmount',
    );
  });

  test(`${name}: zero fill never refills and has no finite wait`, async () => {
    const h = await makeHarness();
    const key = h.key('zero');
    const parameters: BucketParameters = {
      capacity: 2,
      fillAmount: 0,
      intervalMs: 1000,
      continuousFill: true,
    };
    assert.equal((await h.store.take({ key, tokens: 2, parameters })).allowed, true);
    await h.advance(2000);
    const refused = await h.store.take({ key, tokens: 1, parameters });
    assert.equal(refused.allowed, false);
    assert.equal(refused.waitMs, Infinity);
  });

  test(`${name}: buckets with different keys are independent`, async () => {
    const h = await makeHarness();
    const parameters = { ...slow, capacity: 1 };
    assert.equal((await h.store.take({ key: h.key('a'), tokens: 1, parameters })).allowed, true);
    assert.equal((await h.store.take({ key: h.key('b'), tokens: 1, parameters })).allowed, true);
    assert.equal((await h.store.take({ key: h.key('a'), tokens: 1, parameters })).allowed, false);
  });
}
