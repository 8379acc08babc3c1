import type { PolicyComponents } from '../../src/components/component-registry.js';
import { fluxMeterConfig, loadSchedulerConfig, rateLimiterConfig } from './compiled-components.js';

/** The control point the fuzz policy selects; fuzzed Checks use it most of the time. */
export const FUZZ_CONTROL_POINT = 'ingress';

/**
 * One policy that runs every data-path stage a hostile request can reach: a classifier reading a
 * header, a JSON body and a path template; a rate limiter keyed and weighted by client-controlled
 * labels; a load scheduler whose workloads, fairness key and token counts all come from the client;
 * and a flux meter. Token labels are read from a header and from baggage, both of which a client sets.
 */
export function fuzzPolicy(options: { readonly maxQueueTimeoutMs: number }): PolicyComponents {
  const selectors = [{ controlPoint: FUZZ_CONTROL_POINT, service: 'any', agentGroup: 'default' }];
  return {
    policyName: 'fuzz',
    policyHash: 'fuzz-1',
    components: [
      {
        kind: 'classifier',
        policyName: 'fuzz',
        policyHash: 'fuzz-1',
        componentId: 'classifier',
        selectors,
        rules: {
          user: { header: 'x-user', telemetry: true, propagate: true },
          tier: { jsonPointer: '/account/tier', telemetry: true, propagate: true },
          tenant: { pathTemplate: '/tenants/{tenant}/orders', telemetry: false, propagate: true },
        },
      },
      rateLimiterConfig({
        policyName: 'fuzz',
        policyHash: 'fuzz-1',
        selectors,
        limitByLabelKey: 'user',
        tokensLabelKey: 'http.request.header.x_tokens',
        bucketCapacity: 50,
        fillAmount: 50,
        intervalMs: 1000,
      }),
      loadSchedulerConfig({
        policyName: 'fuzz',
        policyHash: 'fuzz-1',
        selectors,
        workloads: [
          {
            name: 'gold',
            labelMatcher: { matchLabels: { tier: 'gold' } },
            priority: 200,
            tokens: 1,
          },
          // Free flows bypass the queue: a tokens label can no longer make a flow free, a workload can.
          { name: 'silver', labelMatcher: { matchLabels: { tier: 'silver' } }, priority: 10, tokens: 0 },
          {
            name: 'tenants',
            labelMatcher: { matchExpressions: [{ key: 'tenant', operator: 'Exists' }] },
            priority: 50,
            tokens: 2,
            queueTimeoutMs: 200,
          },
        ],
        fairnessLabelKey: 'user',
        tokensLabelKey: 'tokens',
        maxQueueTimeoutMs: options.maxQueueTimeoutMs,
        fluxMeterName: 'fuzz',
      }),
      fluxMeterConfig({
        policyName: 'fuzz',
        policyHash: 'fuzz-1',
        componentId: 'fuzz',
        name: 'fuzz',
        selectors,
      }),
    ],
  };
}
