/**
 * A throttle tick by tick: the AIMD steps composed with the capacity floor, the probe cap and the
 * release. Pure: it takes the throttle as it stood and returns it as it stands, with what the loop's
 * state machine must do about it.
 */
import type { AverageLatencyLoopConfig } from '@sluice/spec';
import { isPassThrough } from './aimd-step.js';
import { measureCapacity, NO_CAPACITY_ESTIMATE, type CapacityEstimate } from './capacity-estimate.js';
import { capacityFloor, drainAdmission } from './capacity-floor.js';
import { probeParameters, type LoopTuning } from './loop-tuning.js';
import type { OverloadCondition } from './overload-condition.js';
import { NO_PROBE, probeAfterMeasurement, probeAfterOverload, type ProbeState } from './probe-cap.js';
import { throttleCut } from './throttle-cut.js';
import { throttleIncrease } from './throttle-increase.js';
import {
  improvementFrom,
  NO_IMPROVEMENT_TRACKED,
  trackImprovement,
  type ImprovementState,
} from './throttle-release.js';
import type { TickReading } from './tick-reading.js';
import type { TickSample } from './tick-sample.js';

/** What a throttle has learnt and decided since it began; forgotten whenever it ends. */
export interface Throttle {
  /** The multiplier in force while throttling. */
  readonly loadMultiplier: number;
  /** Ticks without overload since the last overloaded one. */
  readonly ticksSinceOverload: number;
  /** −Infinity before the first cut. */
  readonly lastCutTick: number;
  readonly capacity: CapacityEstimate;
  /** Share of the capacity to admit, from the latest tick's queue wait (drainAdmission). */
  readonly drainShare: number;
  readonly probe: ProbeState;
  readonly improvement: ImprovementState;
}

export function freshThrottle(
  config: Pick<AverageLatencyLoopConfig, 'maxLoadMultiplier'>,
  tuning: Pick<LoopTuning, 'capacity'>,
): Throttle {
  return {
    loadMultiplier: config.maxLoadMultiplier,
    ticksSinceOverload: 0,
    lastCutTick: Number.NEGATIVE_INFINITY,
    capacity: NO_CAPACITY_ESTIMATE,
    drainShare: tuning.capacity.capacityShare,
    probe: NO_PROBE,
    improvement: NO_IMPROVEMENT_TRACKED,
  };
}

/** The least the loop admits while throttling (capacity-floor.ts); 0 while no capacity is measured. */
export function throttleFloor(throttle: Throttle, incomingPerTick: number): number {
  return capacityFloor({ estimate: throttle.capacity, drainShare: throttle.drainShare, incomingPerTick });
}

export interface BacklogInput {
  readonly latest: TickSample;
  readonly reading: TickReading;
  readonly overload: OverloadCondition;
  readonly setpointMs: number;
  readonly windowTicks: number;
  readonly config: Pick<AverageLatencyLoopConfig, 'signalWindowMs' | 'backlogDrainFloor'>;
}

/**
 * Measures the capacity on a tick overloaded by latency (while errors overload, completions count fast
 * failures and would overstate it) and the drain share on every tick with OK flows, whatever the
 * loop's state. `backlogged`: the tick showed the backlog.
 */
export function measureBacklog(
  throttle: Throttle,
  input: BacklogInput,
  tuning: Pick<LoopTuning, 'capacity'>,
): { readonly throttle: Throttle; readonly backlogged: boolean } {
  const { latest, setpointMs } = input;
  let next = throttle;
  let backlogged = false;
  if (input.overload.overloaded && !input.reading.errors.overloaded) {
    const measured = measureCapacity(
      next.capacity,
      { latest, setpointMs, windowTicks: input.windowTicks },
      tuning.capacity,
    );
    backlogged = measured.backlogged;
    const probe = measured.perTickMeasured ? probeAfterMeasurement(next.probe) : next.probe;
    next = { ...next, capacity: measured.estimate, probe };
  }
  if (latest.okCount > 0) {
    // Latency above the setpoint is queue wait (Little's law: backlog = capacity × wait).
    const drainShare = drainAdmission(
      {
        waitMs: latest.okLatencySumMs / latest.okCount - setpointMs,
        horizonMs: input.config.signalWindowMs,
        floor: input.config.backlogDrainFloor,
      },
      tuning.capacity,
    );
    next = { ...next, drainShare };
  }
  return { throttle: next, backlogged };
}

export interface ThrottleTickInput {
  /** The loop's tick count, this tick included. */
  readonly tick: number;
  /** Whether a throttle is in force (the loop is in `throttling`). */
  readonly throttling: boolean;
  readonly reading: TickReading;
  readonly overload: OverloadCondition;
  readonly setpointMs: number;
  /** What measureBacklog said of this tick. */
  readonly backlogged: boolean;
  readonly windowTicks: number;
  readonly config: Pick<
    AverageLatencyLoopConfig,
    'minGradient' | 'maxGradient' | 'linearIncrement' | 'releaseAfterWindows' | 'maxLoadMultiplier'
  >;
}

export interface ThrottleTick {
  readonly throttle: Throttle;
  /** A cut began a throttle: pass-through → throttling. */
  readonly started: boolean;
  /** The throttle did not improve the signal for releaseAfterWindows windows: release it. */
  readonly released: boolean;
  /** The additive increase reached maxLoadMultiplier: pass through. */
  readonly recovered: boolean;
}

/**
 * One tick of a throttle, or of pass-through facing an overload:
 * - overloaded: the cut (at most one per window, never below the floor unless errors overload; it
 *   begins a throttle out of pass-through), admission held at the floor while the upstream is
 *   backlogged (every tick: waiting a window for the next cut would let the backlog grow that long),
 *   and the count of windows without improvement;
 * - not overloaded while throttling: the additive increase under the probe cap, above the floor.
 * Not overloaded in pass-through, it changes nothing (the loop's baselines learn then).
 */
export function throttleTick(throttle: Throttle, input: ThrottleTickInput, tuning: LoopTuning): ThrottleTick {
  const { reading, overload, config, windowTicks } = input;
  const floor = throttleFloor(throttle, reading.incomingPerTick);
  // What the cut and the improvement check measure (the signal, or deeper when errors overload).
  const cutSignalMs = overload.cutSignalMs ?? input.setpointMs;
  const unchanged = { throttle, started: false, released: false, recovered: false };
  if (!overload.overloaded) {
    if (!input.throttling) return unchanged;
    const ticksSinceOverload = throttle.ticksSinceOverload + 1;
    const increase = throttleIncrease(
      {
        current: throttle.loadMultiplier,
        observedLoadMultiplier: reading.observedLoadMultiplier,
        ticksSinceOverload,
        linearIncrement: config.linearIncrement,
        capacityPerTick: throttle.capacity.perTick,
        incomingPerTick: reading.incomingPerTick,
        probe: throttle.probe,
        windowTicks,
        floor,
      },
      probeParameters(tuning),
    );
    const next = {
      ...throttle,
      loadMultiplier: increase.loadMultiplier,
      ticksSinceOverload,
      probe: increase.probe,
      improvement: improvementFrom(cutSignalMs),
    };
    return {
      ...unchanged,
      throttle: next,
      recovered: isPassThrough(increase.loadMultiplier, config.maxLoadMultiplier),
    };
  }

  const cut = throttleCut({
    tick: input.tick,
    lastCutTick: throttle.lastCutTick,
    windowTicks,
    cutAllowed: overload.cutAllowed,
    current: input.throttling ? throttle.loadMultiplier : undefined,
    observedLoadMultiplier: reading.observedLoadMultiplier,
    setpointMs: input.setpointMs,
    cutSignalMs,
    minGradient: config.minGradient,
    maxGradient: config.maxGradient,
    floor: reading.errors.overloaded ? 0 : floor,
  });
  const started = cut !== undefined && !input.throttling;
  let next: Throttle = {
    ...throttle,
    ...(cut !== undefined ? { loadMultiplier: cut, lastCutTick: input.tick } : {}),
    ticksSinceOverload: 0,
    probe: probeAfterOverload(throttle.probe, windowTicks, tuning.probe),
    ...(started ? { improvement: improvementFrom(cutSignalMs) } : {}),
  };
  if (!input.throttling && !started) return { ...unchanged, throttle: next };
  if (input.backlogged && next.capacity.ratio !== undefined) next = { ...next, loadMultiplier: floor };
  const verdict = trackImprovement(
    next.improvement,
    { signalMs: cutSignalMs, windowTicks, releaseAfterWindows: config.releaseAfterWindows },
    tuning.release,
  );
  return {
    ...unchanged,
    throttle: { ...next, improvement: verdict.state },
    started,
    released: verdict.release,
  };
}
