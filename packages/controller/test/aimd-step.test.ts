import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { additiveIncrease, gradientCut, isPassThrough } from '../src/control/aimd-step.js';

const defaults = { minGradient: 0.1, maxGradient: 1.0 };

describe('gradientCut (reference §9.2 item 17: setpoint 55, observed LM 1.0)', () => {
  it('halves the load multiplier when the signal is twice the setpoint', () => {
    assert.equal(
      gradientCut({ setpointMs: 55, signalMs: 110, observedLoadMultiplier: 1.0, ...defaults }),
      0.5,
    );
  });

  it('clamps a cut at minGradient: signal 1000 gives 0.1, not 0.055', () => {
    assert.equal(
      gradientCut({ setpointMs: 55, signalMs: 1000, observedLoadMultiplier: 1.0, ...defaults }),
      0.1,
    );
  });

  it('never raises the multiplier: a signal below the setpoint is clamped at maxGradient 1.0', () => {
    assert.equal(
      gradientCut({ setpointMs: 55, signalMs: 50, observedLoadMultiplier: 0.8, ...defaults }),
      0.8,
    );
  });

  it('scales from the observed multiplier, not from 1', () => {
    assert.equal(
      gradientCut({ setpointMs: 55, signalMs: 110, observedLoadMultiplier: 0.6, ...defaults }),
      0.3,
    );
  });

  it('stays within [observed × minGradient, observed × maxGradient] for any positive signal', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 10_000, noNaN: true }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        (signal, observed) => {
          const cut = gradientCut({
            setpointMs: 55,
            signalMs: signal,
            observedLoadMultiplier: observed,
            ...defaults,
          });
          return cut >= observed * 0.1 - 1e-12 && cut <= observed + 1e-12;
        },
      ),
    );
  });
});

describe('additiveIncrease', () => {
  it('adds 0.025 per tick since the last overload on top of the observed multiplier', () => {
    assert.equal(
      additiveIncrease({ observedLoadMultiplier: 0.5, ticksSinceOverload: 1, linearIncrement: 0.025 }),
      0.525,
    );
    assert.equal(
      additiveIncrease({ observedLoadMultiplier: 0.5, ticksSinceOverload: 10, linearIncrement: 0.025 }),
      0.75,
    );
  });

  it('reaches maxLoadMultiplier 2.0 from an observed 1.0 after 40 ticks, not 39', () => {
    assert.equal(
      isPassThrough(
        additiveIncrease({ observedLoadMultiplier: 1, ticksSinceOverload: 39, linearIncrement: 0.025 }),
        2,
      ),
      false,
    );
    assert.equal(
      isPassThrough(
        additiveIncrease({ observedLoadMultiplier: 1, ticksSinceOverload: 40, linearIncrement: 0.025 }),
        2,
      ),
      true,
    );
  });
});

describe('isPassThrough', () => {
  it('passes through at or above maxLoadMultiplier and on an invalid multiplier', () => {
    assert.equal(isPassThrough(2.0, 2.0), true);
    assert.equal(isPassThrough(1.999, 2.0), false);
    assert.equal(isPassThrough(Number.NaN, 2.0), true);
  });
});
