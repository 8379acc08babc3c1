import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { throttleCut, type ThrottleCutInput } from '../src/control/throttle-cut.js';
import { assertNear } from './support/assert-near.js';

/** Setpoint 55, signal 110 (gradient 0.5), window 5 ticks, never cut before, no floor. */
const base: ThrottleCutInput = {
  tick: 1,
  lastCutTick: Number.NEGATIVE_INFINITY,
  windowTicks: 5,
  cutAllowed: true,
  current: undefined,
  observedLoadMultiplier: undefined,
  setpointMs: 55,
  cutSignalMs: 110,
  minGradient: 0.1,
  maxGradient: 1,
  floor: 0,
};

describe('throttleCut (setpoint 55, signal 110)', () => {
  it('out of pass-through without token counters cuts from 1: 0.5', () => {
    assert.equal(throttleCut(base), 0.5);
  });

  it('cuts from the observed multiplier, else from the one in force: 0.8 ⇒ 0.4, 0.4 ⇒ 0.2', () => {
    assertNear(throttleCut({ ...base, observedLoadMultiplier: 0.8, current: 0.4 }), 0.4);
    assertNear(throttleCut({ ...base, current: 0.4 }), 0.2);
  });

  it('at most once per signal window: cut on tick 3, none on ticks 4–7, one on tick 8', () => {
    const due = [4, 5, 6, 7, 8].map((tick) => throttleCut({ ...base, tick, lastCutTick: 3 }) !== undefined);
    assert.deepEqual(due, [false, false, false, false, true]);
  });

  it('not when the overload condition forbids it (failures reported late)', () => {
    assert.equal(throttleCut({ ...base, cutAllowed: false }), undefined);
  });

  it('never below the floor, and the gradient within [minGradient, maxGradient]', () => {
    assert.equal(throttleCut({ ...base, cutSignalMs: 1000 }), 0.1);
    assert.equal(throttleCut({ ...base, cutSignalMs: 1000, floor: 0.3 }), 0.3);
    assert.equal(throttleCut({ ...base, cutSignalMs: 50, current: 0.7 }), 0.7);
  });
});
