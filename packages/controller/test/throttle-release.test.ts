import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_RELEASE_PARAMETERS,
  improvementFrom,
  NO_IMPROVEMENT_TRACKED,
  trackImprovement,
  type ImprovementState,
} from '../src/control/throttle-release.js';

/** Feeds overloaded ticks of these signals (window 5, release after 12) and returns the ticks that released. */
function run(signals: readonly number[], start: ImprovementState, improvementFraction = 0.01) {
  let state = start;
  const released: number[] = [];
  signals.forEach((signalMs, index) => {
    const verdict = trackImprovement(
      state,
      { signalMs, windowTicks: 5, releaseAfterWindows: 12 },
      { improvementFraction },
    );
    state = verdict.state;
    if (verdict.release) released.push(index + 1);
  });
  return { state, released };
}

describe('trackImprovement (window 5 ticks, release after 12 windows)', () => {
  it('defaults: an improvement is a fall of at least 1%', () => {
    assert.deepEqual(DEFAULT_RELEASE_PARAMETERS, { improvementFraction: 0.01 });
  });

  it('counts the ticks of a window and compares at its end: 200 ms throughout releases on tick 60, not before', () => {
    const partial = run([200, 200, 200, 200], improvementFrom(200));
    assert.deepEqual(partial.state, {
      windowStartSignalMs: 200,
      ticksInWindow: 4,
      windowsWithoutImprovement: 0,
    });
    assert.deepEqual(run(Array<number>(60).fill(200), improvementFrom(200)).released, [60]);
  });

  it('a window whose signal fell by 1% or more starts the count over; 0.5% does not', () => {
    const signals = [...Array<number>(55).fill(200), 200, 200, 200, 200, 198];
    const fell = run(signals, improvementFrom(200));
    assert.deepEqual([fell.released, fell.state.windowsWithoutImprovement], [[], 0]);
    const barely = run([...Array<number>(55).fill(200), 200, 200, 200, 200, 199], improvementFrom(200));
    assert.deepEqual(barely.released, [60]);
  });

  it('without a start it compares the window with its own end', () => {
    assert.deepEqual(run([200, 200, 200, 200, 150], NO_IMPROVEMENT_TRACKED).state, {
      windowStartSignalMs: 150,
      ticksInWindow: 0,
      windowsWithoutImprovement: 1,
    });
  });

  it('takes the improvement fraction from its parameters: at 0.1 a 5% fall is no improvement', () => {
    const signals = Array.from({ length: 60 }, (_, index) => 200 * 0.95 ** Math.floor(index / 5));
    assert.deepEqual(run(signals, improvementFrom(200)).released, []);
    assert.deepEqual(run(signals, improvementFrom(200), 0.1).released, [60]);
  });
});
