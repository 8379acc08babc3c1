/**
 * Ready-made load plans for the demo and the e2e tests, sized from the upstream's capacity so the
 * same shape overloads any upstream configuration. Pure.
 */
import type { LoadPlanInput } from './load-plan.js';
import type { DemoUpstreamConfig } from './upstream-config.js';

/** Requests per second the upstream can serve: N workers each taking L ms. */
export function upstreamCapacityRps(config: Pick<DemoUpstreamConfig, 'concurrency' | 'latencyMs'>): number {
  return config.latencyMs <= 0 ? Number.POSITIVE_INFINITY : (config.concurrency * 1000) / config.latencyMs;
}

export interface OverloadWaveOptions {
  /** Upstream capacity, requests/s (see {@link upstreamCapacityRps}). */
  readonly capacityRps: number;
  /** @default 10000 */
  readonly baselineMs?: number;
  /** @default 30000 */
  readonly overloadMs?: number;
  /** @default 20000 */
  readonly recoveryMs?: number;
  /** Share of capacity each workload offers at baseline and in recovery. @default 0.3 */
  readonly baselineShare?: number;
  /** Subscribers' share of capacity during the overload. @default 0.6 */
  readonly subscriberShare?: number;
  /** Guests' share of capacity during the overload. @default 2.4 */
  readonly guestShare?: number;
  /** Distinct user ids per workload. @default 100 */
  readonly users?: number;
}

/**
 * Guests and subscribers (headers `user-type` and `user-id`, as Aperture's demo), open loop:
 * baseline, then subscribers at 0.6× and guests at 2.4× capacity, then recovery (issue 8's e2e shape).
 */
export function overloadWavePlan(options: OverloadWaveOptions): LoadPlanInput {
  const capacity = options.capacityRps;
  const baseline = capacity * (options.baselineShare ?? 0.3);
  const users = options.users ?? 100;
  return {
    workloads: [
      {
        name: 'subscribers',
        kind: 'open-loop',
        headers: { 'user-type': 'subscriber' },
        userIds: { count: users, prefix: 's' },
      },
      {
        name: 'guests',
        kind: 'open-loop',
        headers: { 'user-type': 'guest' },
        userIds: { count: users, prefix: 'g' },
      },
    ],
    stages: [
      {
        name: 'baseline',
        durationMs: options.baselineMs ?? 10_000,
        targets: { subscribers: baseline, guests: baseline },
      },
      {
        name: 'overload',
        durationMs: options.overloadMs ?? 30_000,
        targets: {
          subscribers: capacity * (options.subscriberShare ?? 0.6),
          guests: capacity * (options.guestShare ?? 2.4),
        },
      },
      {
        name: 'recovery',
        durationMs: options.recoveryMs ?? 20_000,
        targets: { subscribers: baseline, guests: baseline },
      },
    ],
  };
}
