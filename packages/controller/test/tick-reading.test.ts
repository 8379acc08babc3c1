import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readTick, type TickReadingInput } from '../src/control/tick-reading.js';
import type { TickSample } from '../src/control/tick-sample.js';
import { assertNear } from './support/assert-near.js';
import { tickSample } from './support/tick-samples.js';

/** Baseline 50 ms (setpoint 55), error baseline 2%, tolerances 1.1 and 0.05, a window of 5 ticks. */
function input(window: TickSample, overrides: Partial<TickReadingInput> = {}): TickReadingInput {
  return {
    window,
    windowSize: 5,
    latest: window,
    baselineMs: 50,
    baselineErrorRatio: 0.02,
    latencyToleranceMultiplier: 1.1,
    errorRatioTolerance: 0.05,
    ...overrides,
  };
}

describe('readTick', () => {
  it('OK flows at 110 ms: signal 110, overloaded by latency, observed 0.5, 40 incoming per tick', () => {
    const reading = readTick(input(tickSample({ ok: [100, 110], incoming: 200, accepted: 100 })));
    assert.equal(reading.signalMs, 110);
    assertNear(reading.setpointMs, 55);
    assert.deepEqual(
      [reading.evidence, reading.observedLoadMultiplier, reading.incomingPerTick],
      [true, 0.5, 40],
    );
    assert.deepEqual(reading.overload, {
      overloaded: true,
      causes: ['latency'],
      cutSignalMs: 110,
      cutAllowed: true,
    });
  });

  it('while the baseline warms up: a signal, no setpoint, no overload condition', () => {
    const reading = readTick(
      input(tickSample({ ok: [100, 500] }), { baselineMs: undefined, baselineErrorRatio: undefined }),
    );
    assert.deepEqual([reading.signalMs, reading.setpointMs, reading.overload], [500, undefined, undefined]);
    assert.equal(reading.evidence, true);
  });

  it('no evidence without a report in the window, or without flows; failures alone are evidence', () => {
    assert.equal(readTick(input({ ...tickSample({ ok: [100, 50] }), reportCount: 0 })).evidence, false);
    const tokensOnly = readTick(input(tickSample({ incoming: 100, accepted: 0 })));
    assert.deepEqual(
      [tokensOnly.evidence, tokensOnly.signalMs, tokensOnly.observedLoadMultiplier],
      [false, undefined, 0],
    );
    const failuresOnly = readTick(input(tickSample({ failed: 100 })));
    assert.deepEqual(
      [failuresOnly.evidence, failuresOnly.signalMs, failuresOnly.errors.ratio],
      [true, undefined, 1],
    );
  });

  it('an overload of failures in the window cuts only while the latest tick fails too', () => {
    const window = tickSample({ ok: [40, 50], failed: 60 });
    const failing = readTick(input(window));
    assert.deepEqual(failing.overload?.causes, ['errors']);
    assert.equal(failing.overload?.cutAllowed, true);
    const healed = readTick(input(window, { latest: tickSample({ ok: [100, 50] }) }));
    assert.deepEqual([healed.overload?.overloaded, healed.overload?.cutAllowed], [true, false]);
  });

  it('stalls count in the signal once beyond chance: 100 OK at 50 ms and 50 stalled at 1 s ⇒ 366.7', () => {
    const reading = readTick(input(tickSample({ ok: [100, 50], stalled: [50, 1000] })));
    assertNear(reading.signalMs, 55_000 / 150);
    assert.deepEqual(reading.overload?.causes, ['stalls', 'errors']);
  });

  it('takes the test of chance from its parameters: 6 of 10 failing at 2% is beyond chance at 10⁻⁶, not at 10⁻¹²', () => {
    const window = tickSample({ ok: [4, 50], failed: 6 });
    assert.equal(readTick(input(window)).errors.overloaded, true);
    const strict = readTick(input(window), {
      chance: { significanceNats: Math.log(1e12), minTestedRatio: 1e-4 },
      overload: { leastErrorGradient: 1e-3 },
    });
    assert.equal(strict.errors.overloaded, false);
  });
});
