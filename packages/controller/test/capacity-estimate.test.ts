import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BACKLOG_MARGIN,
  CAPACITY_DRAIN_FRACTION,
  DEFAULT_CAPACITY_PARAMETERS,
  measureCapacity,
  NO_CAPACITY_ESTIMATE,
  type CapacityEstimate,
} from '../src/control/capacity-estimate.js';
import type { TickSample } from '../src/control/tick-sample.js';
import { assertNear } from './support/assert-near.js';
import { tickSample } from './support/tick-samples.js';

const SETPOINT = 55;

/** `completed` OK flows at `latencyMs`; `incoming` tokens, `accepted` of them admitted. */
const tick = (completed: number, latencyMs: number, incoming: number, accepted = incoming) =>
  tickSample({ ok: [completed, latencyMs], incoming, accepted });

const measure = (estimate: CapacityEstimate, latest: TickSample, backlogMargin = BACKLOG_MARGIN) =>
  measureCapacity(estimate, { latest, setpointMs: SETPOINT, windowTicks: 2 }, { backlogMargin });

describe('measureCapacity (setpoint 55, window 2 ticks)', () => {
  it('defaults: 0.95 for the backlog margin and the capacity share', () => {
    assert.deepEqual(DEFAULT_CAPACITY_PARAMETERS, { backlogMargin: 0.95, capacityShare: 0.95 });
    assert.equal(CAPACITY_DRAIN_FRACTION, 0.95);
  });

  it('measures nothing on a tick within the setpoint, without OK flows, or without incoming tokens', () => {
    for (const latest of [tick(20, 50, 60), tick(0, 0, 60), { ...tick(20, 1000, 0), incomingTokens: 0 }]) {
      const result = measure(NO_CAPACITY_ESTIMATE, latest);
      assert.deepEqual(result, { estimate: NO_CAPACITY_ESTIMATE, backlogged: false, perTickMeasured: false });
    }
  });

  it('starts only on a tick that admitted clearly more than it completed: a slow dependency (58 of 60) is no backlog', () => {
    assert.equal(measure(NO_CAPACITY_ESTIMATE, tick(58, 1000, 60)).backlogged, false);
    const first = measure(NO_CAPACITY_ESTIMATE, tick(56, 1000, 60));
    assert.deepEqual(first, {
      estimate: { backlogSeen: true, ratio: 56 / 60, perTick: undefined },
      backlogged: true,
      perTickMeasured: false,
    });
  });

  it('the first backlogged tick sets the ratio (20 of 60 ⇒ 1/3) but not the absolute capacity; later ones smooth both with weight 1/2', () => {
    const first = measure(NO_CAPACITY_ESTIMATE, tick(20, 1055, 60));
    assertNear(first.estimate.ratio, 1 / 3);
    assert.equal(first.estimate.perTick, undefined);
    const second = measure(first.estimate, tick(30, 1055, 60));
    assertNear(second.estimate.ratio, 1 / 3 + 0.5 * (0.5 - 1 / 3));
    assert.deepEqual([second.estimate.perTick, second.perTickMeasured], [30, true]);
    const third = measure(second.estimate, tick(20, 1055, 60));
    assert.equal(third.estimate.perTick, 25);
    // Once a backlog was seen, every tick above the setpoint is measured, whatever it admitted.
    const fourth = measure(third.estimate, tick(60, 100, 60));
    assert.deepEqual([fourth.backlogged, fourth.estimate.perTick], [true, 42.5]);
  });

  it('caps the ratio at 1 (more completions than incoming tokens: a backlog draining)', () => {
    const first = measure(NO_CAPACITY_ESTIMATE, tick(20, 1055, 60));
    assertNear(measure(first.estimate, tick(80, 1055, 60)).estimate.ratio, 1 / 3 + 0.5 * (1 - 1 / 3));
  });

  it('takes the backlog margin from its parameters: at 0.2, completing 20 of 60 admitted is no backlog', () => {
    assert.equal(measure(NO_CAPACITY_ESTIMATE, tick(20, 1055, 60), 0.2).backlogged, false);
    assert.equal(measure(NO_CAPACITY_ESTIMATE, tick(10, 1055, 60), 0.2).backlogged, true);
  });
});
