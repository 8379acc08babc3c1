import assert from 'node:assert/strict';
import { it } from 'node:test';
import { GatedBaselineStore } from '../src/state/baseline-store-gated.js';
import { MemoryBaselineStore } from '../src/state/baseline-store.js';

const state = (learnedTicks: number) => ({ version: 1 as const, learnedTicks, buckets: [] });

it('loads always and saves only while open (a follower never overwrites the leader’s baselines)', () => {
  const store = new MemoryBaselineStore();
  store.save('policy/component', state(60));
  let open = false;
  const gated = new GatedBaselineStore({ store, open: () => open });
  assert.deepEqual(gated.load('policy/component'), state(60));
  gated.save('policy/component', state(1));
  assert.deepEqual(store.load('policy/component'), state(60));
  open = true;
  gated.save('policy/component', state(61));
  assert.deepEqual(store.load('policy/component'), state(61));
});
