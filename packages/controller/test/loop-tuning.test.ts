import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LOOP_TUNING, probeParameters, resolveLoopTuning } from '../src/control/loop-tuning.js';

describe('resolveLoopTuning', () => {
  it("defaults to today's constants", () => {
    assert.deepEqual(resolveLoopTuning(), {
      chance: { significanceNats: Math.log(1e6), minTestedRatio: 1e-4 },
      overload: { leastErrorGradient: 1e-3 },
      capacity: { backlogMargin: 0.95, capacityShare: 0.95 },
      probe: { headroom: 1.1, backoffWindows: 15, settleWindows: 2 },
      release: { improvementFraction: 0.01 },
    });
    assert.deepEqual(resolveLoopTuning(), DEFAULT_LOOP_TUNING);
  });

  it('overrides one parameter and keeps the others; the probe takes the capacity share', () => {
    const tuning = resolveLoopTuning({ probe: { headroom: 1.2 }, capacity: { capacityShare: 0.9 } });
    assert.deepEqual(tuning.probe, { headroom: 1.2, backoffWindows: 15, settleWindows: 2 });
    assert.deepEqual(probeParameters(tuning), {
      headroom: 1.2,
      backoffWindows: 15,
      settleWindows: 2,
      capacityShare: 0.9,
    });
  });

  it('refuses values out of range, naming each with its value and what is allowed', () => {
    assert.throws(
      () =>
        resolveLoopTuning({
          probe: { headroom: 0.9, settleWindows: 1.5 },
          capacity: { capacityShare: 0 },
          release: { improvementFraction: 1 },
          chance: { significanceNats: Number.NaN },
        }),
      {
        name: 'RangeError',
        message:
          'control loop tuning: chance.significanceNats NaN is not allowed; expected a finite number > 0; ' +
          'capacity.capacityShare 0 is not allowed; expected a number in (0, 1]; ' +
          'probe.headroom 0.9 is not allowed; expected a finite number ≥ 1; ' +
          'probe.settleWindows 1.5 is not allowed; expected a whole number ≥ 1; ' +
          'release.improvementFraction 1 is not allowed; expected a number in [0, 1)',
      },
    );
    for (const overrides of [
      { chance: { minTestedRatio: 0.5 } },
      { overload: { leastErrorGradient: 0 } },
      { capacity: { backlogMargin: 1.01 } },
      { probe: { backoffWindows: 0 } },
    ])
      assert.throws(
        () => resolveLoopTuning(overrides),
        /control loop tuning: [a-zA-Z.]+ [0-9.]+ is not allowed/,
      );
  });
});
