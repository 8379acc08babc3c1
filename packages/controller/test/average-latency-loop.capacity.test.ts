/**
 * The loop's use of the upstream's measured capacity: the drain share while a backlog exists, and the
 * probe cap that keeps the additive increase from rebuilding the backlog it drained. Synthetic reports
 * with exact counts (setpoint 55 ms, signal window 2 ticks of 1 s), so every multiplier is computed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AverageLatencyLoop } from '../src/control/average-latency-loop.js';
import { CAPACITY_DRAIN_FRACTION } from '../src/control/capacity-estimate.js';
import { PROBE_BACKOFF_WINDOWS, PROBE_HEADROOM, PROBE_SETTLE_WINDOWS } from '../src/control/probe-cap.js';
import { assertNear } from './support/assert-near.js';
import { loopConfig } from './support/loop-config.js';
import { tickSample } from './support/tick-samples.js';
import { warmBaselines } from './support/warm-baselines.js';

const SETPOINT = 55;

/** One tick's report: `completed` OK flows of `latencyMs`, `incoming` tokens of which `accepted` admitted. */
const report = (completed: number, latencyMs: number, incoming: number, accepted: number) =>
  tickSample({ ok: [completed, latencyMs], incoming, accepted });
const baselineOf50 = () => warmBaselines();

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

  it('takes the capacity share and the probe from its tuning: share 0.8, headroom 1.2 after 3 windows, then 1 window', () => {
    const loop = new AverageLatencyLoop({
      config: loopConfig({ signalWindowMs: 2000, evaluationIntervalMs: 1000, backlogDrainFloor: 0.3 }),
      restoredBaseline: baselineOf50(),
      tuning: {
        capacity: { capacityShare: 0.8 },
        probe: { headroom: 1.2, backoffWindows: 3, settleWindows: 1 },
      },
    });
    // The drain share: 1 − 1 s ÷ 2 s = 0.5 of the capacity, within [0.3, 0.8].
    let multiplier = overload(loop);
    assertNear(multiplier, 0.5 / 3);
    const multipliers: number[] = [];
    for (let tick = 0; tick < 12; tick++) {
      const accepted = Math.round(60 * Math.min(1, multiplier));
      loop.record(report(accepted, 50, 60, accepted));
      multiplier = loop.tick().decision.loadMultiplier;
      multipliers.push(Number(multiplier.toFixed(4)));
    }
    // 0.8 × 20 ÷ 60 = 0.2667 from the first quiet tick (the floor once the queue wait is gone, and the
    // cap); the increase passes the cap from the third, and after 3 windows (6 ticks) held there the
    // estimate is raised by 1.2, then again every window (2 ticks), each raise in force the tick after.
    assert.deepEqual(multipliers, [...Array<number>(8).fill(0.2667), 0.32, 0.32, 0.384, 0.384]);
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
