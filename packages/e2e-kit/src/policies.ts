/**
 * The FlowPolicies the e2e tests run. Every timing the control loop has is set explicitly and short
 * (warm-up, windows, TTL), so a test sees the whole loop in seconds rather than the defaults' minutes.
 * Services are `any`: the proxy's flows carry the host `127.0.0.1`.
 */
import { guestsAndSubscribersPolicy, type AverageLatencyTimings } from '@sluice/demo';
import { CONTROL_POINT } from './topology.js';

const selectors = [{ controlPoint: CONTROL_POINT, service: 'any' }];

/** Guests (priority 50) and subscribers (priority 200), the policy `npm start` runs too. */
export function averageLatencyPolicy(name: string, timings: AverageLatencyTimings = {}): unknown {
  return guestsAndSubscribersPolicy(name, timings, CONTROL_POINT);
}

/**
 * One token bucket per `user-id`: `bucketCapacity` burst, `fillAmount` per second, continuous fill,
 * in the agent's memory or (`backend: 'redis'`) in the agent's Redis.
 */
export function perUserRateLimitPolicy(
  name: string,
  limit: { bucketCapacity: number; fillAmount: number; backend?: 'local' | 'redis' },
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
          ...(limit.backend === undefined ? {} : { backend: limit.backend }),
        },
      ],
    },
  };
}
