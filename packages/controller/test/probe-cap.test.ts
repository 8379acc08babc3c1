import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_PROBE_PARAMETERS,
  NO_PROBE,
  probeAfterIncrease,
  probeAfterMeasurement,
  probeAfterOverload,
  probeCap,
} from '../src/control/probe-cap.js';
import { assertNear } from './support/assert-near.js';

describe('probeCap', () => {
  it('is 0.95 × capacity × gain ÷ incoming rate: 20 per tick of 60 incoming ⇒ 0.3167, after one probe 0.3483', () => {
    assertNear(probeCap({ capacityPerTick: 20, incomingPerTick: 60, gain: 1 }), (0.95 * 20) / 60);
    assertNear(probeCap({ capacityPerTick: 20, incomingPerTick: 60, gain: 1.1 }), (0.95 * 20 * 1.1) / 60);
  });

  it('is none (Infinity) while the capacity is unknown, without incoming tokens, or when the load fits in the capacity', () => {
    assert.equal(probeCap({ capacityPerTick: undefined, incomingPerTick: 60, gain: 1 }), Infinity);
    assert.equal(probeCap({ capacityPerTick: 20, incomingPerTick: 0, gain: 1 }), Infinity);
    assert.equal(probeCap({ capacityPerTick: 70, incomingPerTick: 60, gain: 1 }), Infinity);
  });

  it('takes the capacity share from its parameters', () => {
    assertNear(
      probeCap({ capacityPerTick: 20, incomingPerTick: 60, gain: 1 }, { capacityShare: 0.5 }),
      1 / 6,
    );
  });
});

describe('probing (window 2 ticks)', () => {
  it('defaults: headroom 1.1, 15 windows after an overload, 2 after a raise', () => {
    assert.deepEqual(DEFAULT_PROBE_PARAMETERS, {
      capacityShare: 0.95,
      headroom: 1.1,
      backoffWindows: 15,
      settleWindows: 2,
    });
  });

  it('raises the estimate after 30 ticks at the cap, then after 4 more; a tick below the cap starts the count over', () => {
    let probe = probeAfterOverload(NO_PROBE, 2);
    assert.deepEqual(probe, { gain: 1, ticksAtCap: 0, waitTicks: 30 });
    const raisedAt: number[] = [];
    for (let tick = 1; tick <= 40; tick++) {
      const before = probe.gain;
      // Tick 10 is below the cap.
      probe = probeAfterIncrease(probe, { heldAtCap: tick !== 10, windowTicks: 2 });
      if (probe.gain > before) raisedAt.push(tick);
    }
    assert.deepEqual(raisedAt, [40]);
    assert.deepEqual(probe, { gain: 1.1, ticksAtCap: 0, waitTicks: 4 });
    for (let tick = 1; tick <= 4; tick++)
      probe = probeAfterIncrease(probe, { heldAtCap: true, windowTicks: 2 });
    assertNear(probe.gain, 1.21);
  });

  it('an overload keeps the gain but waits the backoff again; a new measurement of the capacity resets the gain', () => {
    const raised = { gain: 1.21, ticksAtCap: 3, waitTicks: 4 };
    assert.deepEqual(probeAfterOverload(raised, 5), { gain: 1.21, ticksAtCap: 0, waitTicks: 75 });
    assert.deepEqual(probeAfterMeasurement(raised), { gain: 1, ticksAtCap: 3, waitTicks: 4 });
  });

  it('takes headroom, backoff and settle windows from its parameters', () => {
    const parameters = { capacityShare: 0.95, headroom: 1.5, backoffWindows: 1, settleWindows: 3 };
    let probe = probeAfterOverload(NO_PROBE, 2, parameters);
    probe = probeAfterIncrease(probe, { heldAtCap: true, windowTicks: 2 }, parameters);
    probe = probeAfterIncrease(probe, { heldAtCap: true, windowTicks: 2 }, parameters);
    assert.deepEqual(probe, { gain: 1.5, ticksAtCap: 0, waitTicks: 6 });
  });
});
