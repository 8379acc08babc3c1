/**
 * The least the loop admits while throttling an upstream whose capacity it measured: the drain share
 * of that capacity. A latency-proportional cut of an open-loop overload overshoots (at 3× capacity,
 * signal 10× the setpoint, it would cut to a tenth); a cut below the capacity only throws goodput
 * away once the backlog has drained. Pure.
 */
import {
  DEFAULT_CAPACITY_PARAMETERS,
  type CapacityEstimate,
  type CapacityParameters,
} from './capacity-estimate.js';

export interface DrainAdmissionInput {
  /** The tick's latency above the setpoint, ms: by Little's law the backlog in ms of capacity. */
  readonly waitMs: number;
  /** How soon the backlog should clear (the signal window), ms. */
  readonly horizonMs: number;
  /** The policy's `backlogDrainFloor`: the least share of the capacity admitted. */
  readonly floor: number;
}

/**
 * The share of the measured capacity to admit while the upstream holds a backlog whose queue wait is
 * `waitMs` above the setpoint: 1 − wait ÷ horizon, so a backlog of one horizon's wait would clear in
 * about one horizon, kept within [floor, capacityShare]. With the default floor (0.95) this is always
 * 0.95: a policy trades goodput for faster latency recovery only when it lowers the floor.
 */
export function drainAdmission(
  input: DrainAdmissionInput,
  parameters: Pick<CapacityParameters, 'capacityShare'> = DEFAULT_CAPACITY_PARAMETERS,
): number {
  const { waitMs, horizonMs, floor } = input;
  const wanted = horizonMs > 0 ? 1 - Math.max(0, waitMs) / horizonMs : parameters.capacityShare;
  const upper = Math.max(floor, parameters.capacityShare);
  return Math.min(upper, Math.max(floor, wanted));
}

export interface CapacityFloorInput {
  readonly estimate: CapacityEstimate;
  /** The latest drain share (drainAdmission). */
  readonly drainShare: number;
  /** Mean incoming tokens per tick over the signal window. */
  readonly incomingPerTick: number;
}

/**
 * drain share × the capacity's share of the incoming load; 0 while no capacity is measured. That
 * share is the lower of the learnt ratio and the absolute capacity ÷ the window's incoming rate: the
 * ratio is averaged over backlogged ticks only, so when the incoming rate rises between them
 * (closed-loop clients cycle faster once latency falls) it is stale and too high, and the absolute
 * capacity over the incoming rate is not; when the incoming rate steps up, the window's mean lags and
 * the ratio is the lower.
 */
export function capacityFloor(input: CapacityFloorInput): number {
  const { ratio, perTick } = input.estimate;
  if (ratio === undefined) return 0;
  const share =
    perTick !== undefined && input.incomingPerTick > 0
      ? Math.min(ratio, perTick / input.incomingPerTick)
      : ratio;
  return input.drainShare * share;
}
