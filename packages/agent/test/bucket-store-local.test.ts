import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalBucketStore } from '../src/token-bucket/bucket-store-local.js';
import { bucketStoreContract } from './support/bucket-store-contract.js';
import { ManualClock } from '@sluice/clock/manual';

bucketStoreContract('local', async () => {
  const clock = new ManualClock({ startMs: 1_000_000 });
  const store = new LocalBucketStore({ clock });
  return { store, key: (name) => `t/${name}`, advance: async (ms) => clock.advance(ms) };
});

test('local: decisions are labelled with the local source', async () => {
  const store = new LocalBucketStore({ clock: new ManualClock({ startMs: 1_000_000 }) });
  const result = await store.take({
    key: 'k',
    tokens: 1,
    parameters: { capacity: 1, fillAmount: 1, intervalMs: 1000, continuousFill: true },
  });
  assert.equal(result.source, 'local');
});

test('local: idle buckets are swept so memory stays bounded under many label values', () => {
  const clock = new ManualClock({ startMs: 1_000_000 });
  const store = new LocalBucketStore({ clock, maxIdleMs: 1000 });
  const parameters = { capacity: 1, fillAmount: 1, intervalMs: 1000, continuousFill: true };
  for (let i = 0; i < 1000; i++) store.takeNow({ key: `old-${i}`, tokens: 1, parameters });
  clock.advance(5000);
  for (let i = 0; i < 30; i++) store.takeNow({ key: `new-${i}`, tokens: 1, parameters });
  assert.ok(store.size <= 30, `size ${store.size}`);
});
