import assert from 'node:assert/strict';
import { test } from 'node:test';
import { marginalGrowth } from '../src/synthesis/marginal-cost.js';
import { nodeCeiling } from '../src/decision-path/node-ceiling.js';

test('a linear renderer grows its marginal cost by 1×, a quadratic one by about 5×', () => {
  const linear = [100, 1000, 5000].map((tenants) => ({ tenants, ms: 20 + 2 * tenants }));
  assert.equal(marginalGrowth(linear).ratio, 1);
  const quadratic = [100, 1000, 5000].map((tenants) => ({ tenants, ms: tenants * tenants * 0.001 }));
  assert.ok(Math.abs(marginalGrowth(quadratic).ratio - 6000 / 1100) < 1e-9);
  assert.ok(Number.isNaN(marginalGrowth(linear.slice(0, 2)).ratio));
});

test('a mesh hop costs two Checks and two log records', () => {
  const ceiling = nodeCeiling(100e-6, 50e-6);
  assert.ok(Math.abs(ceiling.checksPerCoreSecond - 10_000) < 1e-6);
  assert.ok(Math.abs(ceiling.hopsPerCoreSecond - 1 / 300e-6) < 1e-6);
  assert.ok(Math.abs(ceiling.hopsPerCoreSecondChecksOnly - 5_000) < 1e-6);
  assert.ok(Number.isNaN(nodeCeiling(100e-6, Number.NaN).hopsPerCoreSecond));
});
