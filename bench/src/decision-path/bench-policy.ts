/**
 * The FlowPolicy the decision-path benchmark runs, compiled with the controller's own compile
 * function so the agent receives exactly what a controller would push. Every kind of component a
 * Check passes through is there: a classifier (two header labels), a flux meter, a local rate
 * limiter per user far above any rate h2load reaches (it decides, never rejects) and a load
 * scheduler with two workloads. Pure.
 */
import { compileFlowPolicy, type CompiledPolicy } from '@sluice/spec';

export const BENCH_CONTROL_POINT = 'ingress';
export const BENCH_POLICY_NAME = 'bench-decision-path';
export const BENCH_SCHEDULER = 'load-scheduler';

/**
 * Envoy's ext_authz `timeout` default is 200 ms and the agent keeps a 25 ms margin: the queue
 * timeout a real sidecar's Check gets. h2load sends no `grpc-timeout`, so the cap stands in for it.
 */
export const BENCH_MAX_QUEUE_TIMEOUT = '175ms';

export function benchFlowPolicy(): unknown {
  const selectors = [{ controlPoint: BENCH_CONTROL_POINT, service: 'any' }];
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'FlowPolicy',
    metadata: { name: BENCH_POLICY_NAME },
    spec: {
      classifiers: [
        { selectors, rules: { 'user-type': { header: 'user-type' }, 'user-id': { header: 'user-id' } } },
      ],
      fluxMeters: [{ name: 'bench-latency', selectors }],
      rateLimiters: [
        {
          name: 'per-user',
          selectors,
          bucketCapacity: 1_000_000_000,
          fillAmount: 1_000_000_000,
          interval: '1s',
          limitByLabelKey: 'user-id',
          continuousFill: true,
        },
      ],
      loadSchedulers: [
        {
          name: BENCH_SCHEDULER,
          selectors,
          maxQueueTimeout: BENCH_MAX_QUEUE_TIMEOUT,
          workloads: [
            { name: 'guests', priority: 50, labelMatcher: { matchLabels: { 'user-type': 'guest' } } },
            {
              name: 'subscribers',
              priority: 200,
              labelMatcher: { matchLabels: { 'user-type': 'subscriber' } },
            },
          ],
          averageLatency: {},
        },
      ],
    },
  };
}

/** @throws Error listing the issues when the bench policy does not compile (a schema change). */
export function compiledBenchPolicy(): CompiledPolicy {
  const result = compileFlowPolicy(benchFlowPolicy());
  if (!result.ok)
    throw new Error(
      `the bench policy does not compile: ${result.issues.map((issue) => JSON.stringify(issue)).join('; ')}`,
    );
  return result.value;
}
