import type { AverageLatencyLoopConfig } from '@sluice/spec';
import { isPassThrough } from './aimd-step.js';
import type { LoopState } from './loop-state.js';
import type { OverloadCause } from './overload-condition.js';

/** What agents are told for one load scheduler. */
export interface LoadDecision {
  readonly policyName: string;
  readonly policyHash: string;
  readonly componentId: string;
  /** >= 0; meaningless when passThrough. */
  readonly loadMultiplier: number;
  readonly passThrough: boolean;
  readonly ttlMs: number;
}

/** The loop's view after a tick, for the API and metrics. */
export interface LoopStatus {
  readonly state: LoopState;
  /** Mean latency of OK flows over the signal window, stalled flows included (latencySignalMs). */
  readonly signalMs: number | undefined;
  readonly baselineMs: number | undefined;
  readonly setpointMs: number | undefined;
  readonly overloaded: boolean;
  /** What made the tick overloaded (see OverloadCause); empty when it was not. */
  readonly overloadCauses: readonly OverloadCause[];
  /** Server failures ÷ admitted flows over the signal window; undefined without flows. */
  readonly errorRatio: number | undefined;
  /** The learnt error ratio; undefined during its warm-up. */
  readonly baselineErrorRatio: number | undefined;
  /** The multiplier the loop wants (also in dryRun); maxLoadMultiplier when passing through. */
  readonly desiredLoadMultiplier: number;
  readonly observedLoadMultiplier: number | undefined;
  /** Lower bound on cuts from the upstream's measured capacity, when one is known. */
  readonly capacityFloor: number | undefined;
  /** Throttles released because latency did not improve (the alert counter). */
  readonly releases: number;
  readonly ticks: number;
}

export interface TickResult {
  readonly decision: LoadDecision;
  readonly status: LoopStatus;
  /** True on the tick a throttle was released for not improving latency. */
  readonly released: boolean;
}

/**
 * The decision for a loop that wants `desiredLoadMultiplier`: pass-through unless it is throttling
 * below maxLoadMultiplier, and always in dryRun.
 */
export function loadDecision(
  config: AverageLatencyLoopConfig,
  input: { readonly state: LoopState; readonly desiredLoadMultiplier: number },
): LoadDecision {
  const passThrough =
    config.dryRun ||
    input.state !== 'throttling' ||
    isPassThrough(input.desiredLoadMultiplier, config.maxLoadMultiplier);
  return {
    policyName: config.policyName,
    policyHash: config.policyHash,
    componentId: config.componentId,
    loadMultiplier: passThrough ? config.maxLoadMultiplier : Math.max(0, input.desiredLoadMultiplier),
    passThrough,
    ttlMs: config.decisionTtlMs,
  };
}
