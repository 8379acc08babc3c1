import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_PROBE } from '../src/control/probe-cap.js';
import { throttleIncrease, type ThrottleIncreaseInput } from '../src/control/throttle-increase.js';
import { assertNear } from './support/assert-near.js';

/** Observed 0.5, third tick since the overload, 0.025 per tick, no capacity measured, window 2. */
const base: ThrottleIncreaseInput = {
  current: 0.4,
  observedLoadMultiplier: 0.5,
  ticksSinceOverload: 3,
  linearIncrement: 0.025,
  capacityPerTick: undefined,
  incomingPerTick: 60,
  probe: { gain: 1, ticksAtCap: 0, waitTicks: 30 },
  windowTicks: 2,
  floor: 0,
};

describe('throttleIncrease', () => {
  it('observed + 0.025 × ticks since the overload: 0.575; the multiplier in force without counters: 0.475', () => {
    const increase = throttleIncrease(base);
    assertNear(increase.loadMultiplier, 0.575);
    assert.deepEqual(increase.probe, base.probe);
    assertNear(throttleIncrease({ ...base, observedLoadMultiplier: undefined }).loadMultiplier, 0.475);
  });

  it('stops at the probe cap (0.95 × 20 ÷ 60) and counts the tick at the cap', () => {
    const increase = throttleIncrease({ ...base, capacityPerTick: 20 });
    assertNear(increase.loadMultiplier, (0.95 * 20) / 60);
    assert.deepEqual(increase.probe, { gain: 1, ticksAtCap: 1, waitTicks: 30 });
  });

  it('holds the cap as it stood before the tick that raises it', () => {
    const increase = throttleIncrease({
      ...base,
      capacityPerTick: 20,
      probe: { gain: 1, ticksAtCap: 29, waitTicks: 30 },
    });
    assertNear(increase.loadMultiplier, (0.95 * 20) / 60);
    assert.deepEqual(increase.probe, { gain: 1.1, ticksAtCap: 0, waitTicks: 4 });
  });

  it('never below the floor', () => {
    assert.equal(throttleIncrease({ ...base, floor: 0.7 }).loadMultiplier, 0.7);
    assert.equal(throttleIncrease({ ...base, capacityPerTick: 20, floor: 0.33 }).loadMultiplier, 0.33);
  });

  it('takes the probe parameters: capacity share 0.5 caps at 1/6', () => {
    const increase = throttleIncrease(
      { ...base, capacityPerTick: 20, probe: NO_PROBE },
      { capacityShare: 0.5, headroom: 1.1, backoffWindows: 15, settleWindows: 2 },
    );
    assertNear(increase.loadMultiplier, 1 / 6);
  });
});
