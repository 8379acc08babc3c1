import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baselineLesson } from '../src/control/baseline-learning.js';
import type { TickSample } from '../src/control/tick-sample.js';
import { tickSample } from './support/tick-samples.js';

const tick = (ok: number, latencyMs: number, failed = 0) => tickSample({ ok: [ok, latencyMs], failed });

const lesson = (latest: TickSample, setpointMs: number | undefined, baselineErrorRatio: number | undefined) =>
  baselineLesson({ latest, setpointMs, baselineErrorRatio, errorRatioTolerance: 0.05 });

describe('baselineLesson', () => {
  it('during warm-up (no setpoint) the latency baseline learns every tick, however slow', () => {
    assert.deepEqual(lesson(tick(100, 500), undefined, undefined).latency, {
      okCount: 100,
      okLatencySumMs: 50_000,
    });
  });

  it('afterwards only ticks whose own OK mean is within the setpoint (55): 54 ms yes, 56 ms and no OK flows no', () => {
    assert.deepEqual(lesson(tick(100, 54), 55, 0.02).latency, { okCount: 100, okLatencySumMs: 5400 });
    assert.equal(lesson(tick(100, 56), 55, 0.02).latency, undefined);
    assert.equal(lesson(tick(0, 0, 10), 55, 0.02).latency, undefined);
  });

  it('the error baseline learns a tick unless its own failures meet the error condition: 2 of 100 yes, 60 of 100 no', () => {
    assert.deepEqual(lesson(tick(98, 50, 2), 55, 0.02).errors, { flowCount: 100, failedCount: 2 });
    assert.equal(lesson(tick(40, 50, 60), 55, 0.02).errors, undefined);
    // While the error baseline warms up the condition is off, so every tick teaches it.
    assert.deepEqual(lesson(tick(40, 50, 60), 55, undefined).errors, { flowCount: 100, failedCount: 60 });
  });

  it('takes the test of chance from its parameters: 6 of 10 is beyond chance at 10⁻⁶, not at 10⁻¹²', () => {
    const latest = tick(4, 50, 6);
    assert.equal(lesson(latest, 55, 0.02).errors, undefined);
    const strict = baselineLesson(
      { latest, setpointMs: 55, baselineErrorRatio: 0.02, errorRatioTolerance: 0.05 },
      { significanceNats: Math.log(1e12), minTestedRatio: 1e-4 },
    );
    assert.deepEqual(strict.errors, { flowCount: 10, failedCount: 6 });
  });
});
