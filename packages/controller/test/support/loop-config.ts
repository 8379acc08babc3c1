import type { AverageLatencyLoopConfig } from '@sluice/spec';

/** The defaults a FlowPolicy load scheduler compiles to, with overrides. */
export function loopConfig(overrides: Partial<AverageLatencyLoopConfig> = {}): AverageLatencyLoopConfig {
  return {
    policyName: 'service-protection',
    policyHash: '0123456789abcdef0123456789abcdef',
    componentId: 'ingress',
    fluxMeterName: 'service-protection/ingress',
    latencyToleranceMultiplier: 1.1,
    signalWindowMs: 5000,
    baselineWindowMs: 30 * 60_000,
    warmUpMs: 60_000,
    evaluationIntervalMs: 1000,
    decisionTtlMs: 30_000,
    releaseAfterWindows: 12,
    minGradient: 0.1,
    maxGradient: 1.0,
    maxLoadMultiplier: 2.0,
    linearIncrement: 0.025,
    backlogDrainFloor: 0.95,
    errorRatioTolerance: 0.05,
    dryRun: false,
    ...overrides,
  };
}
