import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorRatioBaseline } from '../src/control/error-ratio-baseline.js';
import { ErrorRatioBaselineStateSchema } from '../src/control/error-ratio-baseline-state.js';
import { BaselineStateSchema } from '../src/control/latency-baseline.js';
import { assertNear } from './support/assert-near.js';

describe('ErrorRatioBaseline', () => {
  it('has no ratio until warmUpTicks ticks with flows were learned, then failed ÷ flows weighted by flows', () => {
    const baseline = new ErrorRatioBaseline({ windowTicks: 1800, warmUpTicks: 3 });
    baseline.learn(100, 5);
    baseline.learn(0, 0); // no flows: teaches nothing
    baseline.learn(300, 3);
    assert.deepEqual([baseline.ready, baseline.ratio()], [false, undefined]);
    baseline.learn(600, 42);
    assert.equal(baseline.ready, true);
    assertNear(baseline.ratio(), 50 / 1000);
  });

  it('forgets ticks older than its window, as the latency baseline does', () => {
    const baseline = new ErrorRatioBaseline({ windowTicks: 60, warmUpTicks: 1 });
    for (let tick = 0; tick < 60; tick++) baseline.learn(100, 50);
    for (let tick = 0; tick < 61; tick++) baseline.learn(100, 2);
    assertNear(baseline.ratio(), 0.02);
  });

  it('caps failures at flows and ignores negative or non-finite failures', () => {
    const baseline = new ErrorRatioBaseline({ windowTicks: 100, warmUpTicks: 1 });
    baseline.learn(10, 50);
    baseline.learn(10, -1);
    baseline.learn(10, Number.NaN);
    assert.equal(baseline.ratio(), 1);
  });

  it('round-trips through its persisted form (inside the loop state, key errors) and stays warm', () => {
    const baseline = new ErrorRatioBaseline({ windowTicks: 1800, warmUpTicks: 60 });
    for (let tick = 0; tick < 60; tick++) baseline.learn(200, 6);
    const state = ErrorRatioBaselineStateSchema.parse(JSON.parse(JSON.stringify(baseline.snapshot())));
    const restored = new ErrorRatioBaseline({ windowTicks: 1800, warmUpTicks: 60, restored: state });
    assert.equal(restored.ready, true);
    assertNear(restored.ratio(), 0.03);
    // A latency state saved before error baselines existed still parses; one with them parses too.
    const latency = { version: 1, learnedTicks: 60, buckets: [{ ticks: 60, count: 6000, sumMs: 300_000 }] };
    assert.equal(BaselineStateSchema.safeParse(latency).success, true);
    assert.equal(BaselineStateSchema.safeParse({ ...latency, errors: state }).success, true);
    assert.equal(
      BaselineStateSchema.safeParse({ ...latency, errors: { ...state, extra: 1 } }).success,
      false,
      'unknown keys are refused',
    );
  });
});
