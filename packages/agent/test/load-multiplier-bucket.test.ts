import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clampLoadMultiplier,
  LoadMultiplierBucket,
  MAX_LOAD_MULTIPLIER,
} from '../src/load-scheduler/load-multiplier-bucket.js';

test('negative, NaN and absurd multipliers are clamped, never thrown', () => {
  assert.deepEqual(clampLoadMultiplier(-0.5), { value: 0, clamped: true });
  assert.deepEqual(clampLoadMultiplier(Number.NaN), { value: 0, clamped: true });
  assert.deepEqual(clampLoadMultiplier(Infinity), { value: MAX_LOAD_MULTIPLIER, clamped: true });
  assert.deepEqual(clampLoadMultiplier(0.7), { value: 0.7, clamped: false });
  const bucket = new LoadMultiplierBucket({ slots: 10, slotMs: 100 });
  assert.equal(bucket.setLoadMultiplier(0, -3), true);
  assert.equal(bucket.fillRatePerSecond(0), 0);
});

test('fill rate = incoming token rate × multiplier and capacity is one second of fill', () => {
  const bucket = new LoadMultiplierBucket({ slots: 10, slotMs: 100 });
  for (let t = 0; t < 1000; t += 2) bucket.recordIncoming(t, 5); // 2500 tokens/s
  bucket.setLoadMultiplier(1000, 0.7);
  assert.equal(bucket.bypass(1000), false);
  assert.ok(Math.abs(bucket.fillRatePerSecond(1000) - 1750) < 1e-6);
  assert.ok(
    Math.abs(bucket.availableTokens(1000) - 1750) < 1e-6,
    'leaving bootstrapping starts from a full bucket',
  );
  for (let t = 1000; t < 1100; t += 2) bucket.recordIncoming(t, 5);
  assert.ok(Math.abs(bucket.availableTokens(1099) - 1750) < 1e-6, 'never above one second of fill');
});

test('pass-through until the first decision, and bootstrapping until the window fills', () => {
  const bucket = new LoadMultiplierBucket({ slots: 10, slotMs: 100 });
  bucket.recordIncoming(0, 1);
  assert.equal(bucket.bypass(0), true);
  assert.equal(bucket.isPassThrough, true);
  bucket.setLoadMultiplier(0, 0.5);
  assert.equal(bucket.bypass(500), true, 'still bootstrapping');
  assert.equal(bucket.bypass(1000), false);
  bucket.setPassThrough();
  assert.equal(bucket.bypass(1000), true);
});

test('reserve goes negative and reports the wait; zero fill reserves nothing', () => {
  const bucket = new LoadMultiplierBucket({ slots: 10, slotMs: 100 });
  for (let t = 0; t < 1000; t += 10) bucket.recordIncoming(t, 1); // 100 tokens/s
  bucket.setLoadMultiplier(1000, 1);
  bucket.bypass(1000);
  assert.equal(bucket.takeIfAvailable(1000, 100), true);
  assert.equal(bucket.takeIfAvailable(1000, 1), false);
  assert.ok(Math.abs(bucket.reserve(1000, 5) - 50) < 1e-6, '5 tokens at 100/s = 50 ms');
  bucket.giveBack(1000, 5);
  assert.ok(Math.abs(bucket.availableTokens(1000)) < 1e-6);
  bucket.setLoadMultiplier(1000, 0);
  assert.equal(bucket.reserve(1000, 1), Infinity);
});

test('leaving pass-through starts throttling from a full bucket, not from an old deficit', () => {
  const bucket = new LoadMultiplierBucket({ slots: 10, slotMs: 100 });
  for (let t = 0; t < 1000; t += 10) bucket.recordIncoming(t, 1); // 100 tokens/s
  bucket.setLoadMultiplier(1000, 1);
  bucket.bypass(1000);
  bucket.reserve(1000, 300);
  assert.ok(bucket.availableTokens(1000) < -199, 'deep deficit');
  bucket.setPassThrough();
  for (let t = 1000; t < 2000; t += 10) bucket.recordIncoming(t, 1);
  bucket.setLoadMultiplier(2000, 0.5);
  assert.ok(Math.abs(bucket.availableTokens(2000) - 50) < 1e-6, `available ${bucket.availableTokens(2000)}`);
});
