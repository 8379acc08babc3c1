/**
 * The loop's use of the upstream's measured capacity: the drain share while a backlog exists, and the
 * probe cap that keeps the additive increase from rebuilding the backlog it drained. Synthetic reports
 * with exact counts (setpoint 55 ms, signal window 2 ticks of 1 s), so every multiplier is computed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AverageLatencyLoop,
  CAPACITY_DRAIN_FRACTION,
  PROBE_BACKOFF_WINDOWS,
  PROBE_HEADROOM,
  PROBE_SETTLE_WINDOWS,
  drainAdmission,
} from '../src/control/average-latency-loop.js';
import { LatencyBaseline, type BaselineState } from '../src/control/latency-baseline.js';
import type { TickSample } from '../src/control/tick-sample.js';
import { assertNear } from './support/assert-near.js';
import { loopConfig } from './support/loop-config.js';

const SETPOINT = 55;

/** One tick's report: `completed` OK flows of `latencyMs`, `incoming` tokens of which `accepted` admitted. */
function report(completed: number, latencyMs: number, incoming: number, accepted: number): TickSample {
  return {
    okCount: completed,
    okLatencySumMs: completed * latencyMs,
    completedCount: completed,
    stalledCount: 0,
    stalledLatencySumMs: 0,
    failedCount: 0,
    incomingTokens: incoming,
    acceptedTokens: accepted,
    rejectedTokens: incoming - accepted,
    reportCount: 1,
  };
}

function baselineOf50(): BaselineState {
  const baseline = new LatencyBaseline({ windowTicks: 1800, warmUpTicks: 60 });
  for (let tick = 0; tick < 60; tick++) baseline.learn(100, 5000);
  return baseline.snapshot();
}

function loopWithFloor(backlogDrainFloor: number): AverageLatencyLoop {
  return new AverageLatencyLoop({
    config: loopConfig({ signalWindowMs: 2000, evaluationIntervalMs: 1000, backlogDrainFloor }),
    restoredBaseline: baselineOf50(),
  });
}

/** Two backlogged ticks: 60 tokens arrive, all admitted, the upstream completes 20 with 1 s of queue wait. */
function overload(loop: AverageLatencyLoop): number {
  loop.record(report(20, SETPOINT + 1000, 60, 60));
  loop.tick();
  loop.record(report(20, SETPOINT + 1000, 60, 60));
  return loop.tick().decision.loadMultiplier;
}

describe('drainAdmission', () => {
  it('admits 1 − wait ÷ horizon of the capacity, within [floor, 0.95]', () => {
    assert.equal(drainAdmission(0, 2000, 0.5), CAPACITY_DRAIN_FRACTION);
    assert.equal(drainAdmission(-30, 2000, 0.5), CAPACITY_DRAIN_FRACTION);
    assertNear(drainAdmission(1000, 2000, 0.3), 0.5);
    assertNear(drainAdmission(400, 2000, 0.3), 0.8);
    assert.equal(drainAdmission(1000, 2000, 0.7), 0.7);
    assert.equal(drainAdmission(5000, 2000, 0.3), 0.3);
    assert.equal(drainAdmission(1000, 2000, 0.95), 0.95);
    assert.equal(drainAdmission(1000, 2000, 1), 1);
  });
});

describe('AverageLatencyLoop, capacity', () => {
  it('while backlogged admits the drain share of the measured capacity (20 of 60 tokens)', () => {
    // wait 1 s over a 2 s horizon ⇒ half the capacity unless the floor is higher.
    assertNear(overload(loopWithFloor(0.3)), 0.5 / 3);
    assertNear(overload(loopWithFloor(0.7)), 0.7 / 3);
    assertNear(overload(loopWithFloor(0.95)), 0.95 / 3);
  });

  it('caps the additive increase at 0.95 of the measured capacity, probes 10% above it after 15 quiet windows, and again after 2 more', () => {
    const loop = loopWithFloor(0.95);
    let multiplier = overload(loop);
    // Admission settles at 0.95 of the measured 20 of 60 tokens.
    const capacityShare = (CAPACITY_DRAIN_FRACTION * 20) / 60;
    const multipliers: number[] = [];
    const quietTicks = PROBE_BACKOFF_WINDOWS * 2 + PROBE_SETTLE_WINDOWS * 2 * 2;
    for (let tick = 0; tick < quietTicks; tick++) {
      // The backlog is gone: the admitted share completes at 50 ms.
      const accepted = Math.round(60 * Math.min(1, multiplier));
      loop.record(report(accepted, 50, 60, accepted));
      const result = loop.tick();
      assert.equal(result.status.state, 'throttling', `tick ${tick}`);
      multiplier = result.decision.loadMultiplier;
      multipliers.push(multiplier);
    }
    // Without the cap, 0.025 per tick since the overload would pass 0.6 by the last tick.
    const beforeProbe = multipliers.slice(0, PROBE_BACKOFF_WINDOWS * 2 - 1);
    assert.ok(
      beforeProbe.every((value) => value <= capacityShare + 1e-9),
      `multipliers before the probe: ${beforeProbe.map((value) => value.toFixed(3)).join(' ')}`,
    );
    assertNear(Math.max(...beforeProbe), capacityShare);
    assertNear(multipliers.at(-1) ?? Number.NaN, capacityShare * PROBE_HEADROOM * PROBE_HEADROOM);
  });

  it('lifts the cap when the incoming load falls within the capacity, so pass-through returns', () => {
    const loop = loopWithFloor(0.95);
    overload(loop);
    let passThroughAt: number | undefined;
    for (let tick = 0; tick < 80 && passThroughAt === undefined; tick++) {
      loop.record(report(15, 50, 15, 15));
      if (loop.tick().decision.passThrough) passThroughAt = tick;
    }
    assert.ok(passThroughAt !== undefined && passThroughAt < 60, `pass-through at tick ${passThroughAt}`);
  });
});
