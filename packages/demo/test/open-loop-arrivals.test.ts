import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OpenLoopArrivals } from '../src/open-loop-arrivals.js';
import { seededRandom } from '@sluice/clock';

function countOver(arrivals: OpenLoopArrivals, untilMs: number, stepMs: number): number[] {
  const perSecond: number[] = [];
  for (let t = stepMs; t <= untilMs; t += stepMs) {
    const second = Math.floor((t - 1e-9) / 1000);
    perSecond[second] = (perSecond[second] ?? 0) + arrivals.dueBy(t);
  }
  return perSecond;
}

describe('OpenLoopArrivals', () => {
  it('uniform: exactly rate × time, whatever the tick size', () => {
    for (const step of [1, 5, 7, 100]) {
      const arrivals = new OpenLoopArrivals({ rateAt: () => 100, process: 'uniform', random: () => 0.5 });
      const total = countOver(arrivals, 2100, step).reduce((sum, value) => sum + value, 0);
      assert.equal(total, 210, `step ${step}`);
    }
  });

  it('uniform: follows a linear ramp (0 → 200/s over 2 s gives 200)', () => {
    const arrivals = new OpenLoopArrivals({
      rateAt: (t) => (200 * Math.min(t, 2000)) / 2000,
      process: 'uniform',
      random: () => 0.5,
    });
    const perSecond = countOver(arrivals, 2000, 5);
    assert.deepEqual(perSecond, [50, 150]);
  });

  it('poisson: seeded, within 10% of the rate over 2 s, and silent at rate 0', () => {
    const arrivals = new OpenLoopArrivals({ rateAt: () => 500, process: 'poisson', random: seededRandom(7) });
    const total = countOver(arrivals, 2000, 5).reduce((sum, value) => sum + value, 0);
    assert.ok(Math.abs(total - 1000) <= 100, `${total} arrivals`);
    const idle = new OpenLoopArrivals({ rateAt: () => 0, process: 'poisson', random: seededRandom(7) });
    assert.equal(
      countOver(idle, 2000, 5).reduce((sum, value) => sum + value, 0),
      0,
    );
  });
});

describe('OpenLoopArrivals (properties)', () => {
  it('uniform: any constant rate and tick size gives floor(rate × seconds) arrivals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 50 }), (rate, step) => {
        const arrivals = new OpenLoopArrivals({ rateAt: () => rate, process: 'uniform', random: () => 0.5 });
        let total = 0;
        for (let t = step; t <= 2000; t += step) total += arrivals.dueBy(t);
        // The last tick may stop short of 2000 ms by less than one step.
        const reached = Math.floor(2000 / step) * step;
        return total === Math.floor((rate * reached) / 1000 + 1e-9);
      }),
    );
  });
});
