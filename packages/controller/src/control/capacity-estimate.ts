/**
 * The upstream's capacity, measured from the ticks on which it held a backlog. Latency from an
 * open-loop overload is queue wait, and a queue drains only while admission is below capacity, so the
 * loop admits a share of this capacity (capacity-floor.ts) and probes above it only slowly
 * (probe-cap.ts). Pure.
 */
import type { TickSample } from './tick-sample.js';

/**
 * Share of the measured capacity that admission settles at: the most the drain share admits while a
 * backlog drains, and where the probe cap holds the additive increase. At 100% any burst queues, and
 * the latency the loop protects is mostly queueing; 0.95 drains at 5% of capacity and leaves room for
 * the estimate's noise (a few percent) before admission undershoots.
 */
export const CAPACITY_DRAIN_FRACTION = 0.95;

/**
 * A tick counts as backlogged when its agents admitted noticeably more than the upstream completed:
 * the completion rate is then the upstream's capacity. 5% absorbs report-alignment noise.
 */
export const BACKLOG_MARGIN = 0.95;

export interface CapacityParameters {
  /**
   * The first backlogged tick must complete fewer than this share of the tokens it admitted.
   * @default BACKLOG_MARGIN (0.95)
   */
  readonly backlogMargin: number;
  /** Share of the measured capacity that admission settles at, in (0, 1]. @default CAPACITY_DRAIN_FRACTION (0.95) */
  readonly capacityShare: number;
}

export const DEFAULT_CAPACITY_PARAMETERS: CapacityParameters = {
  backlogMargin: BACKLOG_MARGIN,
  capacityShare: CAPACITY_DRAIN_FRACTION,
};

/** What a throttle has learnt of the upstream's capacity; reset with the throttle. */
export interface CapacityEstimate {
  /** Whether a tick has shown a backlog (admitted clearly more than completed, latency above the setpoint). */
  readonly backlogSeen: boolean;
  /** Completions ÷ incoming tokens on backlogged ticks (EWMA); undefined before the first backlog. */
  readonly ratio: number | undefined;
  /**
   * Completions per tick on backlogged ticks (EWMA): the capacity in absolute terms. The tick that first
   * shows the backlog is left out: it usually holds only part of the overload.
   */
  readonly perTick: number | undefined;
}

export const NO_CAPACITY_ESTIMATE: CapacityEstimate = {
  backlogSeen: false,
  ratio: undefined,
  perTick: undefined,
};

export interface CapacityMeasurementInput {
  /** This tick's reports (not the window: the backlog is judged tick by tick). */
  readonly latest: TickSample;
  readonly setpointMs: number;
  /** The signal window in ticks: the EWMAs weigh each tick 1 ÷ this. */
  readonly windowTicks: number;
}

export interface CapacityMeasurement {
  readonly estimate: CapacityEstimate;
  /** Whether this tick was measured (it showed the backlog): the loop then holds admission at the floor. */
  readonly backlogged: boolean;
  /** Whether `perTick` was updated: probes above the capacity start over from the new value. */
  readonly perTickMeasured: boolean;
}

/**
 * Updates the estimate from a tick whose own latency is above the setpoint: the upstream is queueing
 * then, so it completes at capacity. It starts only after a tick that also admitted clearly more than
 * was completed (`backlogMargin`), the evidence that latency comes from a backlog and not from, say, a
 * slow dependency; without that evidence there is no estimate and plain AIMD applies. Smoothed over
 * about a signal window (EWMA weight 1 ÷ windowTicks), since one tick's Poisson counts vary by several
 * percent. The caller measures only ticks overloaded by latency, not by errors: completions count fast
 * failures too and would overstate the capacity.
 */
export function measureCapacity(
  estimate: CapacityEstimate,
  input: CapacityMeasurementInput,
  parameters: Pick<CapacityParameters, 'backlogMargin'> = DEFAULT_CAPACITY_PARAMETERS,
): CapacityMeasurement {
  const { latest } = input;
  const unchanged = { estimate, backlogged: false, perTickMeasured: false };
  if (latest.okCount <= 0 || latest.incomingTokens <= 0) return unchanged;
  if (latest.okLatencySumMs / latest.okCount <= input.setpointMs) return unchanged;
  const firstBacklogged = !estimate.backlogSeen;
  if (firstBacklogged && latest.completedCount >= latest.acceptedTokens * parameters.backlogMargin)
    return unchanged;

  const ratio = Math.min(1, latest.completedCount / latest.incomingTokens);
  const weight = 1 / input.windowTicks;
  const next: CapacityEstimate = {
    backlogSeen: true,
    ratio: estimate.ratio === undefined ? ratio : estimate.ratio + weight * (ratio - estimate.ratio),
    perTick: firstBacklogged
      ? estimate.perTick
      : estimate.perTick === undefined
        ? latest.completedCount
        : estimate.perTick + weight * (latest.completedCount - estimate.perTick),
  };
  return { estimate: next, backlogged: true, perTickMeasured: !firstBacklogged };
}
