/**
 * Control quality of one run from what was recorded: the load generator's per-second results, the
 * controller's loop samples and the upstream's own latency windows. Pure.
 */
import type { WorkloadSecond } from '@sluice/demo';

/** Goodput during the overload as a share of the upstream's capacity. */
export const GOODPUT_TARGET = 0.85;
/** Upstream p90 over the second half of the overload, as a multiple of the setpoint. */
export const P90_SETPOINT_TARGET = 1.5;
/** Step to the first load multiplier below 1, ms. */
export const REACT_TARGET_MS = 5_000;
/** Drop to pass-through, ms. */
export const RECOVER_TARGET_MS = 60_000;

export interface LoopPoint {
  /** ms since the load's start. */
  readonly t: number;
  readonly passThrough: boolean;
  readonly loadMultiplier: number;
  readonly setpointMs: number | null;
  readonly state: string;
}

export interface LatencyWindow {
  readonly servedOk: number;
  readonly servedError: number;
  readonly latency: {
    readonly count: number;
    readonly p50Ms: number;
    readonly p90Ms: number;
    readonly p99Ms: number;
  };
}

export interface WorkloadShare {
  readonly offered: number;
  readonly admitted: number;
  /** admitted ÷ offered, NaN without offers. */
  readonly share: number;
}

/** Offered and admitted requests of one workload sent in [fromMs, toMs). */
export function admittedShare(
  seconds: readonly WorkloadSecond[],
  fromMs: number,
  toMs: number,
): WorkloadShare {
  const inside = seconds.filter((second) => second.second * 1000 >= fromMs && second.second * 1000 < toMs);
  const offered = inside.reduce((total, second) => total + second.offered, 0);
  const admitted = inside.reduce((total, second) => total + second.admitted, 0);
  return { offered, admitted, share: offered === 0 ? Number.NaN : admitted / offered };
}

/** ms from `fromMs` to the first loop sample after it that satisfies `predicate`; NaN if none. */
export function timeUntil(
  samples: readonly LoopPoint[],
  fromMs: number,
  predicate: (sample: LoopPoint) => boolean,
): number {
  const found = samples.find((sample) => sample.t >= fromMs && predicate(sample));
  return found === undefined ? Number.NaN : found.t - fromMs;
}

/** The setpoint the controller held just before the step (the latest sample before it that has one). */
export function setpointBefore(samples: readonly LoopPoint[], stepMs: number): number {
  const before = samples.filter((sample) => sample.t < stepMs && sample.setpointMs !== null);
  return before.at(-1)?.setpointMs ?? Number.NaN;
}

/**
 * Upstream seconds (counted from the upstream's start) that lie wholly inside [fromMs, toMs) of the
 * load, given the upstream's uptime when the load started.
 */
export function upstreamSeconds(
  offsetMs: number,
  fromMs: number,
  toMs: number,
): { from: number; to: number } {
  return { from: Math.ceil((offsetMs + fromMs) / 1000), to: Math.floor((offsetMs + toMs) / 1000) };
}

/** The last loop sample in each whole second of the load, for the chart; undefined where none. */
export function loopPerSecond(samples: readonly LoopPoint[], seconds: number): (LoopPoint | undefined)[] {
  const result: (LoopPoint | undefined)[] = Array.from({ length: seconds }, () => undefined);
  for (const sample of samples) {
    const second = Math.floor(sample.t / 1000);
    if (second >= 0 && second < seconds) result[second] = sample;
  }
  return result;
}
