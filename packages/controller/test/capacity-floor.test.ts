import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CAPACITY_DRAIN_FRACTION, NO_CAPACITY_ESTIMATE } from '../src/control/capacity-estimate.js';
import { capacityFloor, drainAdmission } from '../src/control/capacity-floor.js';
import { assertNear } from './support/assert-near.js';

describe('drainAdmission', () => {
  const admit = (waitMs: number, horizonMs: number, floor: number) =>
    drainAdmission({ waitMs, horizonMs, floor });

  it('admits 1 − wait ÷ horizon of the capacity, within [floor, 0.95]', () => {
    assert.equal(admit(0, 2000, 0.5), CAPACITY_DRAIN_FRACTION);
    assert.equal(admit(-30, 2000, 0.5), CAPACITY_DRAIN_FRACTION);
    assertNear(admit(1000, 2000, 0.3), 0.5);
    assertNear(admit(400, 2000, 0.3), 0.8);
    assert.equal(admit(1000, 2000, 0.7), 0.7);
    assert.equal(admit(5000, 2000, 0.3), 0.3);
    assert.equal(admit(1000, 2000, 0.95), 0.95);
    assert.equal(admit(1000, 2000, 1), 1);
  });

  it('takes its upper bound from the capacity share: at 0.8 a small wait admits 0.8, a horizon of 0 too', () => {
    assert.equal(drainAdmission({ waitMs: 100, horizonMs: 2000, floor: 0.3 }, { capacityShare: 0.8 }), 0.8);
    assert.equal(drainAdmission({ waitMs: 100, horizonMs: 0, floor: 0.3 }, { capacityShare: 0.8 }), 0.8);
    assertNear(drainAdmission({ waitMs: 1000, horizonMs: 2000, floor: 0.3 }, { capacityShare: 0.8 }), 0.5);
  });
});

describe('capacityFloor', () => {
  it('is 0 while no capacity is measured', () => {
    assert.equal(capacityFloor({ estimate: NO_CAPACITY_ESTIMATE, drainShare: 0.95, incomingPerTick: 60 }), 0);
  });

  it('is the drain share of the learnt ratio while the absolute capacity is unknown: 0.95 × 1/3', () => {
    const estimate = { backlogSeen: true, ratio: 1 / 3, perTick: undefined };
    assertNear(capacityFloor({ estimate, drainShare: 0.95, incomingPerTick: 60 }), 0.95 / 3);
  });

  it('takes the lower of the ratio and capacity ÷ incoming rate: clients cycling faster (20 of 80 per tick) give 0.25', () => {
    const estimate = { backlogSeen: true, ratio: 1 / 3, perTick: 20 };
    assertNear(capacityFloor({ estimate, drainShare: 0.9, incomingPerTick: 80 }), 0.9 * 0.25);
    // A rate that fell (20 of 40) leaves the ratio, the lower; no incoming tokens leave it too.
    assertNear(capacityFloor({ estimate, drainShare: 0.9, incomingPerTick: 40 }), 0.9 / 3);
    assertNear(capacityFloor({ estimate, drainShare: 0.9, incomingPerTick: 0 }), 0.9 / 3);
  });
});
