/**
 * The FlowPolicies the e2e tests run. Every timing the control loop has is set explicitly and short
 * (warm-up, windows, TTL), so a test sees the whole loop in seconds rather than the defaults' minutes.
 * Services are `any`: the proxy's flows carry the host `127.0.0.1`.
 */
import { CONTROL_POINT } from './topology.js';

const selectors = [{ controlPoint: CONTROL_POINT, service: 'any' }];

export interface AverageLatencyTimings {
  /** @default '5s' */
  readonly warmUp?: string;
  /** @default '2s' */
  readonly signalWindow?: string;
  /** @default '60s' */
  readonly baselineWindow?: string;
  /** @default '30s' */
  readonly decisionTtl?: string;
  /** @default 0.025 */
  readonly linearIncrement?: number;
  /** @default 0.1 */
  readonly minGradient?: number;
}

/** Guests (priority 50) and subscribers (priority 200) told apart by the `user-type` header. */
export function averageLatencyPolicy(name: string, timings: AverageLatencyTimings = {}): unknown {
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'FlowPolicy',
    metadata: { name },
    spec: {
      classifiers: [{ selectors, rules: { 'user-type': { header: 'user-type' } } }],
      loadSchedulers: [
        {
          name: 'load-scheduler',
          selectors,
          workloads: [
            { name: 'guests', priority: 50, labelMatcher: { matchLabels: { 'user-type': 'guest' } } },
            {
              name: 'subscribers',
              priority: 200,
              labelMatcher: { matchLabels: { 'user-type': 'subscriber' } },
            },
          ],
          averageLatency: {
            latencyToleranceMultiplier: 1.1,
            warmUp: timings.warmUp ?? '5s',
            signalWindow: timings.signalWindow ?? '2s',
            baselineWindow: timings.baselineWindow ?? '60s',
            evaluationInterval: '1s',
            decisionTtl: timings.decisionTtl ?? '30s',
            aimd: {
              linearIncrement: timings.linearIncrement ?? 0.025,
              minGradient: timings.minGradient ?? 0.1,
            },
          },
        },
      ],
    },
  };
}

/** One token bucket per `user-id`: `bucketCapacity` burst, `fillAmount` per second, continuous fill. */
export function perUserRateLimitPolicy(
  name: string,
  limit: { bucketCapacity: number; fillAmount: number },
): unknown {
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'FlowPolicy',
    metadata: { name },
    spec: {
      classifiers: [{ selectors, rules: { 'user-id': { header: 'user-id' } } }],
      rateLimiters: [
        {
          name: 'per-user',
          selectors,
          bucketCapacity: limit.bucketCapacity,
          fillAmount: limit.fillAmount,
          interval: '1s',
          limitByLabelKey: 'user-id',
          continuousFill: true,
        },
      ],
    },
  };
}
