import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BaselineStateSchema, LatencyBaseline } from '../src/control/latency-baseline.js';

describe('LatencyBaseline', () => {
  it('has no value until warmUpTicks ticks with traffic were learned', () => {
    const baseline = new LatencyBaseline({ windowTicks: 1800, warmUpTicks: 60 });
    for (let tick = 0; tick < 59; tick++) baseline.learn(100, 5000);
    baseline.learn(0, 0); // a tick without flows teaches nothing
    assert.equal(baseline.valueMs(), undefined);
    baseline.learn(100, 5000);
    assert.equal(baseline.valueMs(), 50);
  });

  it('weights ticks by their flow counts', () => {
    const baseline = new LatencyBaseline({ windowTicks: 100, warmUpTicks: 2 });
    baseline.learn(300, 300 * 40);
    baseline.learn(100, 100 * 80);
    assert.equal(baseline.valueMs(), 50);
  });

  it('forgets learned ticks older than the window (in whole 1/60 buckets)', () => {
    const baseline = new LatencyBaseline({ windowTicks: 60, warmUpTicks: 1 });
    for (let tick = 0; tick < 60; tick++) baseline.learn(10, 10 * 100);
    for (let tick = 0; tick < 61; tick++) baseline.learn(10, 10 * 50);
    assert.equal(baseline.valueMs(), 50);
  });

  it('round-trips through its persisted form and stays warm', () => {
    const baseline = new LatencyBaseline({ windowTicks: 1800, warmUpTicks: 60 });
    for (let tick = 0; tick < 90; tick++) baseline.learn(100, 100 * (50 + (tick % 3)));
    const saved = BaselineStateSchema.parse(JSON.parse(JSON.stringify(baseline.snapshot())));
    const restored = new LatencyBaseline({ windowTicks: 1800, warmUpTicks: 60, restored: saved });
    assert.equal(restored.ready, true);
    assert.equal(restored.valueMs(), baseline.valueMs());
    assert.equal(restored.valueMs(), 51);
  });
});
