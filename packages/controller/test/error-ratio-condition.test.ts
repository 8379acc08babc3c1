import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aboveTolerance,
  bernoulliDivergence,
  beyondChance,
  DEFAULT_CHANCE_PARAMETERS,
  ERROR_SIGNIFICANCE_NATS,
  errorRatioCondition,
} from '../src/control/error-ratio-condition.js';
import { assertNear } from './support/assert-near.js';
import { seededRandom } from '@sluice/clock';

describe('bernoulliDivergence', () => {
  it('is 0 for equal ratios and matches hand-computed values', () => {
    assert.equal(bernoulliDivergence(0.3, 0.3), 0);
    // 0.6 ln(0.6/0.05) + 0.4 ln(0.4/0.95)
    assertNear(bernoulliDivergence(0.6, 0.05), 1.14495, 1e-4);
    assertNear(bernoulliDivergence(1, 0.5), Math.log(2), 1e-12);
    assertNear(bernoulliDivergence(0, 0.5), Math.log(2), 1e-12);
  });
});

describe('beyondChance', () => {
  it('at a 5% baseline: 6 of 10 is chance, 7 of 10 is not; 60 of 500 (12%) is not, 40 of 500 (8%) is', () => {
    assert.equal(ERROR_SIGNIFICANCE_NATS, Math.log(1e6));
    assert.deepEqual(
      [
        beyondChance({ count: 6, flowCount: 10, baselineRatio: 0.05 }),
        beyondChance({ count: 7, flowCount: 10, baselineRatio: 0.05 }),
        beyondChance({ count: 60, flowCount: 500, baselineRatio: 0.05 }),
        beyondChance({ count: 40, flowCount: 500, baselineRatio: 0.05 }),
      ],
      [false, true, true, false],
    );
  });

  it('never for a count at or below the baseline, nor without flows; an unknown baseline is tested as 0.01%', () => {
    assert.deepEqual(
      [
        beyondChance({ count: 5, flowCount: 100, baselineRatio: 0.05 }),
        beyondChance({ count: 1, flowCount: 0, baselineRatio: 0.05 }),
        beyondChance({ count: 0, flowCount: 10, baselineRatio: 0 }),
      ],
      [false, false, false],
    );
    assert.deepEqual(
      [
        beyondChance({ count: 4, flowCount: 500, baselineRatio: undefined }),
        beyondChance({ count: 5, flowCount: 500, baselineRatio: undefined }),
      ],
      [false, true],
    );
  });
});

describe('the test of chance, by its parameters', () => {
  it('defaults to one in a million (ln 10⁶ nats) and a tested ratio of at least 0.01%', () => {
    assert.deepEqual(DEFAULT_CHANCE_PARAMETERS, {
      significanceNats: ERROR_SIGNIFICANCE_NATS,
      minTestedRatio: 1e-4,
    });
  });

  it('at one in 10⁴, 6 of 10 at a 5% baseline is beyond chance, and overloads', () => {
    const lenient = { significanceNats: Math.log(1e4), minTestedRatio: 1e-4 };
    assert.equal(beyondChance({ count: 6, flowCount: 10, baselineRatio: 0.05 }, lenient), true);
    const input = { failedCount: 6, flowCount: 10, baselineRatio: 0.05, tolerance: 0.05 };
    assert.deepEqual(
      [errorRatioCondition(input).overloaded, errorRatioCondition(input, lenient).overloaded],
      [false, true],
    );
  });

  it('with an unknown baseline tested as 0.1%, 5 of 500 is chance', () => {
    const input = { count: 5, flowCount: 500, baselineRatio: undefined };
    assert.deepEqual(
      [
        beyondChance(input),
        beyondChance(input, { significanceNats: ERROR_SIGNIFICANCE_NATS, minTestedRatio: 1e-3 }),
      ],
      [true, false],
    );
  });
});

describe('aboveTolerance (one tick, no test of chance)', () => {
  it('2 of 10 over a 2% baseline with tolerance 0.05 is above; 0 of 10, 1 of 20, and no flows are not', () => {
    const check = (failedCount: number, flowCount: number, baselineRatio: number | undefined) =>
      aboveTolerance({ failedCount, flowCount, baselineRatio, tolerance: 0.05 });
    assert.deepEqual(
      [
        check(2, 10, 0.02),
        check(0, 10, 0.02),
        check(1, 20, 0.02),
        check(0, 0, 0.02),
        check(1, 10, undefined),
      ],
      [true, false, false, false, true],
    );
  });
});

describe('errorRatioCondition', () => {
  const condition = (
    failedCount: number,
    flowCount: number,
    baselineRatio: number | undefined,
    tolerance = 0.05,
  ) => errorRatioCondition({ failedCount, flowCount, baselineRatio, tolerance });

  it('fast 503s at 3× capacity (200 of 300 fail, baseline 2%): overloaded, gradient 0.333 ÷ 0.98 = 0.340', () => {
    const result = condition(200, 300, 0.02);
    assert.equal(result.overloaded, true);
    assertNear(result.ratio, 2 / 3, 1e-12);
    assertNear(result.gradient, 1 / 3 / 0.98, 1e-12);
  });

  it('within the tolerance is not overload however many flows: 9.9% over a 5% baseline in 100,000 flows', () => {
    const result = condition(9_900, 100_000, 0.05);
    assert.deepEqual([result.overloaded, result.gradient], [false, 1]);
    assertNear(result.ratio, 0.099, 1e-12);
    assert.equal(condition(10_100, 100_000, 0.05).overloaded, true);
  });

  it('beyond the tolerance but within chance is not overload: 6 of 10 at 5%', () => {
    assert.equal(condition(6, 10, 0.05).overloaded, false);
    assert.equal(condition(7, 10, 0.05).overloaded, true);
  });

  it('is off while the baseline warms up, with tolerance 1, and without flows', () => {
    assert.equal(condition(300, 300, undefined).overloaded, false);
    assert.equal(condition(300, 300, 0, 1).overloaded, false);
    assert.deepEqual(condition(0, 0, 0.01), { ratio: undefined, overloaded: false, gradient: 1 });
  });

  it('clamps a confused count: more failures than flows is a ratio of 1, negative failures 0', () => {
    assert.deepEqual(condition(500, 100, 0.01), { ratio: 1, overloaded: true, gradient: 0 });
    assert.equal(condition(-5, 100, 0.01).ratio, 0);
    assert.equal(condition(Number.NaN, 100, 0.01).ratio, 0);
  });

  it('a healthy service at its baseline ratio raises no alarm in 30,000 windows of 10 to 2,000 flows (5% and 0.5% baselines)', () => {
    const random = seededRandom(15);
    let alarms = 0;
    let windows = 0;
    for (const baseline of [0.05, 0.005]) {
      for (const flows of [10, 30, 100, 500, 2000]) {
        for (let window = 0; window < 3000; window++) {
          let failed = 0;
          for (let flow = 0; flow < flows; flow++) if (random() < baseline) failed++;
          if (condition(failed, flows, baseline).overloaded) alarms++;
          windows++;
        }
      }
    }
    assert.equal(windows, 30_000);
    assert.equal(alarms, 0);
  });
});
