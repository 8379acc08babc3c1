import type { CompiledFluxMeter, CompiledLoadScheduler, CompiledRateLimiter } from '@sluice/spec';

const selectors = [{ controlPoint: 'ingress', service: 'any', agentGroup: 'default' }];

export function rateLimiterConfig(overrides: Partial<CompiledRateLimiter> = {}): CompiledRateLimiter {
  return {
    kind: 'rate-limiter',
    policyName: 'policy',
    policyHash: 'hash-1',
    componentId: 'limiter',
    selectors,
    bucketCapacity: 40,
    fillAmount: 2,
    intervalMs: 1000,
    continuousFill: true,
    backend: 'local',
    deniedResponseStatusCode: 429,
    dryRun: false,
    ...overrides,
  };
}

export function loadSchedulerConfig(overrides: Partial<CompiledLoadScheduler> = {}): CompiledLoadScheduler {
  return {
    kind: 'load-scheduler',
    policyName: 'policy',
    policyHash: 'hash-1',
    componentId: 'scheduler',
    selectors,
    workloads: [],
    defaultWorkload: { name: 'default', labelMatcher: {}, priority: 1, tokens: 1 },
    decisionDeadlineMarginMs: 25,
    maxQueueTimeoutMs: 1000,
    deniedResponseStatusCode: 503,
    dryRun: false,
    fluxMeterName: 'policy',
    ...overrides,
  };
}

export function fluxMeterConfig(overrides: Partial<CompiledFluxMeter> = {}): CompiledFluxMeter {
  return {
    kind: 'flux-meter',
    policyName: 'policy',
    policyHash: 'hash-1',
    componentId: 'policy',
    selectors,
    name: 'policy',
    bucketsMs: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    ...overrides,
  };
}
