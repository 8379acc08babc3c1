import type {
  CompiledComponent,
  CompiledFluxMeter,
  CompiledLoadScheduler,
  CompiledWorkload,
} from '../compiled/compiled-component.js';
import { durationMs } from '../duration.js';
import { classifierRuleTelemetry } from '../flow-policy/classifier.js';
import { DEFAULT_FLUX_METER_BUCKETS_MS } from '../flow-policy/flux-meter.js';
import { parseFlowPolicy, type FlowPolicy } from '../flow-policy/flow-policy.js';
import type { LoadScheduler } from '../flow-policy/load-scheduler.js';
import type { Selector } from '../flow-policy/selector.js';
import { formatPath, type SpecIssue } from '../spec-issues.js';
import { policyHash } from './policy-hash.js';

/** Everything the controller's control loop needs about one average-latency load scheduler, in ms. */
export interface AverageLatencyLoopConfig {
  readonly policyName: string;
  readonly policyHash: string;
  readonly componentId: string;
  /** Flux meter (emitted by the compile) whose OK-flow latency is the signal. */
  readonly fluxMeterName: string;
  readonly latencyToleranceMultiplier: number;
  readonly signalWindowMs: number;
  readonly baselineWindowMs: number;
  readonly warmUpMs: number;
  readonly evaluationIntervalMs: number;
  readonly decisionTtlMs: number;
  readonly releaseAfterWindows: number;
  readonly minGradient: number;
  readonly maxGradient: number;
  readonly maxLoadMultiplier: number;
  /** Added per evaluation tick since the last overload. */
  readonly linearIncrement: number;
  /** Least share of the measured capacity admitted while a backlog drains (see drainAdmission). */
  readonly backlogDrainFloor: number;
  /** Error-ratio excess over its baseline that counts as overload (see errorRatioCondition). */
  readonly errorRatioTolerance: number;
  readonly dryRun: boolean;
}

/** A policy compiled for agents (components) and for the controller (control loops). */
export interface CompiledPolicy {
  readonly policyName: string;
  readonly policyHash: string;
  /** In evaluation order: classifiers, flux meters, rate limiters, load schedulers. */
  readonly components: readonly CompiledComponent[];
  readonly controlLoops: readonly AverageLatencyLoopConfig[];
  /** Agent groups any selector names; agents of other groups do not receive the policy. */
  readonly agentGroups: readonly string[];
}

export type CompileResult =
  | { readonly ok: true; readonly value: CompiledPolicy }
  | { readonly ok: false; readonly issues: SpecIssue[] };

/** Largest TTL the sync protocol's uint32 ttl_ms can carry. */
const MAX_TTL_MS = 0xffff_ffff;

/**
 * Name of the flux meter the compile emits for a load scheduler's signal. Flux meter names are global
 * per agent group (Aperture keyed them without the policy and two policies collided), so the name
 * carries the policy; `/` cannot occur in a user-declared meter name (a DNS label), so it cannot
 * collide with one either.
 */
export function signalFluxMeterName(policyName: string, schedulerName: string): string {
  return `${policyName}/${schedulerName}`;
}

function compileSelectors(selectors: readonly Selector[]): CompiledFluxMeter['selectors'] {
  return selectors.map((selector) => ({
    controlPoint: selector.controlPoint,
    service: selector.service,
    agentGroup: selector.agentGroup,
    ...(selector.labelMatcher !== undefined ? { labelMatcher: selector.labelMatcher } : {}),
  }));
}

/** Cross-field rules of the control loop that the schema cannot express; each issue names its path. */
function checkLoopTimings(scheduler: LoadScheduler, base: (string | number)[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const timing = scheduler.averageLatency;
  const tick = durationMs(timing.evaluationInterval);
  const signal = durationMs(timing.signalWindow);
  const baseline = durationMs(timing.baselineWindow);
  const ttl = durationMs(timing.decisionTtl);
  const at = (field: string) => formatPath([...base, 'averageLatency', field]);
  if (tick <= 0)
    issues.push({
      path: at('evaluationInterval'),
      value: JSON.stringify(timing.evaluationInterval),
      allowed: 'must be longer than 0ms',
    });
  if (signal < tick) {
    issues.push({
      path: at('signalWindow'),
      value: JSON.stringify(timing.signalWindow),
      allowed: `must be at least the evaluationInterval (${timing.evaluationInterval})`,
    });
  }
  if (baseline <= signal) {
    issues.push({
      path: at('baselineWindow'),
      value: JSON.stringify(timing.baselineWindow),
      allowed: `must be longer than the signalWindow (${timing.signalWindow})`,
    });
  }
  if (ttl <= tick) {
    // A decision that expires before the next tick would flap the agents into pass-through.
    issues.push({
      path: at('decisionTtl'),
      value: JSON.stringify(timing.decisionTtl),
      allowed: `must be longer than the evaluationInterval (${timing.evaluationInterval})`,
    });
  } else if (ttl > MAX_TTL_MS) {
    issues.push({
      path: at('decisionTtl'),
      value: JSON.stringify(timing.decisionTtl),
      allowed: `must be at most ${MAX_TTL_MS}ms (the protocol's uint32 ttl_ms)`,
    });
  }
  return issues;
}

function compileWorkloads(scheduler: LoadScheduler): {
  workloads: CompiledWorkload[];
  defaultWorkload: CompiledWorkload;
} {
  const workloads = scheduler.workloads.map((workload, index) => ({
    name: workload.name ?? String(index),
    labelMatcher: workload.labelMatcher,
    priority: workload.priority,
    tokens: workload.tokens,
    ...(workload.queueTimeout !== undefined ? { queueTimeoutMs: durationMs(workload.queueTimeout) } : {}),
  }));
  const fallback = scheduler.defaultWorkload;
  const defaultWorkload = {
    name: 'default',
    labelMatcher: {},
    priority: fallback.priority,
    tokens: fallback.tokens,
    ...(fallback.queueTimeout !== undefined ? { queueTimeoutMs: durationMs(fallback.queueTimeout) } : {}),
  };
  return { workloads, defaultWorkload };
}

/**
 * Compiles a validated FlowPolicy. Never throws: a rule the schema could not check comes back as a
 * path-precise issue, so a caller (the registry, the CLI) reports it and keeps the last good policy.
 */
export function compileParsedPolicy(policy: FlowPolicy): CompileResult {
  const policyName = policy.metadata.name;
  const hash = policyHash(policy.spec);
  const identity = (componentId: string, selectors: readonly Selector[]) => ({
    policyName,
    policyHash: hash,
    componentId,
    selectors: compileSelectors(selectors),
  });
  const issues: SpecIssue[] = [];
  const classifiers: CompiledComponent[] = policy.spec.classifiers.map((classifier, index) => ({
    kind: 'classifier',
    ...identity(`classifier-${index}`, classifier.selectors),
    // Header rules export only when asked (their values may be credentials); the agent needs the flag resolved.
    rules: Object.fromEntries(
      Object.entries(classifier.rules).map(([label, rule]) => [
        label,
        { ...rule, telemetry: classifierRuleTelemetry(rule) },
      ]),
    ),
  }));
  const fluxMeters: CompiledComponent[] = policy.spec.fluxMeters.map((meter) => ({
    kind: 'flux-meter',
    ...identity(meter.name, meter.selectors),
    name: meter.name,
    bucketsMs: meter.buckets,
  }));
  const rateLimiters: CompiledComponent[] = policy.spec.rateLimiters.map((limiter) => ({
    kind: 'rate-limiter',
    ...identity(limiter.name, limiter.selectors),
    bucketCapacity: limiter.bucketCapacity,
    fillAmount: limiter.fillAmount,
    intervalMs: durationMs(limiter.interval),
    ...(limiter.limitByLabelKey !== undefined ? { limitByLabelKey: limiter.limitByLabelKey } : {}),
    ...(limiter.tokensLabelKey !== undefined ? { tokensLabelKey: limiter.tokensLabelKey } : {}),
    tokensFromBaggage: limiter.tokensFromBaggage,
    continuousFill: limiter.continuousFill,
    backend: limiter.backend,
    deniedResponseStatusCode: limiter.deniedResponseStatusCode,
    dryRun: limiter.dryRun,
  }));
  const schedulers: CompiledLoadScheduler[] = [];
  const controlLoops: AverageLatencyLoopConfig[] = [];
  policy.spec.loadSchedulers.forEach((scheduler, index) => {
    const base = ['spec', 'loadSchedulers', index];
    issues.push(...checkLoopTimings(scheduler, base));
    const meterName = signalFluxMeterName(policyName, scheduler.name);
    const latency = scheduler.averageLatency;
    // The signal's flux meter is explicit, so agents need no knowledge of control loops.
    fluxMeters.push({
      kind: 'flux-meter',
      ...identity(`${scheduler.name}/signal`, latency.fluxMeter.selectors ?? scheduler.selectors),
      name: meterName,
      bucketsMs: [...DEFAULT_FLUX_METER_BUCKETS_MS],
    });
    schedulers.push({
      kind: 'load-scheduler',
      ...identity(scheduler.name, scheduler.selectors),
      ...compileWorkloads(scheduler),
      ...(scheduler.fairnessLabelKey !== undefined ? { fairnessLabelKey: scheduler.fairnessLabelKey } : {}),
      ...(scheduler.tokensLabelKey !== undefined ? { tokensLabelKey: scheduler.tokensLabelKey } : {}),
      tokensFromBaggage: scheduler.tokensFromBaggage,
      decisionDeadlineMarginMs: durationMs(scheduler.decisionDeadlineMargin),
      maxQueueTimeoutMs: durationMs(scheduler.maxQueueTimeout),
      deniedResponseStatusCode: scheduler.deniedResponseStatusCode,
      dryRun: scheduler.dryRun,
      fluxMeterName: meterName,
    });
    controlLoops.push({
      policyName,
      policyHash: hash,
      componentId: scheduler.name,
      fluxMeterName: meterName,
      latencyToleranceMultiplier: latency.latencyToleranceMultiplier,
      signalWindowMs: durationMs(latency.signalWindow),
      baselineWindowMs: durationMs(latency.baselineWindow),
      warmUpMs: durationMs(latency.warmUp),
      evaluationIntervalMs: durationMs(latency.evaluationInterval),
      decisionTtlMs: durationMs(latency.decisionTtl),
      releaseAfterWindows: latency.releaseAfterWindows,
      minGradient: latency.aimd.minGradient,
      maxGradient: latency.aimd.maxGradient,
      maxLoadMultiplier: latency.aimd.maxLoadMultiplier,
      linearIncrement: latency.aimd.linearIncrement,
      backlogDrainFloor: latency.backlogDrainFloor,
      errorRatioTolerance: latency.errorRatioTolerance,
      dryRun: scheduler.dryRun,
    });
  });
  if (issues.length > 0) return { ok: false, issues };
  const components = [...classifiers, ...fluxMeters, ...rateLimiters, ...schedulers];
  const agentGroups = [
    ...new Set(components.flatMap((component) => component.selectors.map((selector) => selector.agentGroup))),
  ].sort();
  return { ok: true, value: { policyName, policyHash: hash, components, controlLoops, agentGroups } };
}

/**
 * FlowPolicy document (already decoded from YAML or JSON) → agent components with a policy hash.
 * Validation issues and compile issues come back the same way, each naming path, value and what is
 * allowed. This is the one compile function: the controller, its tests and `sluicectl` all call it.
 */
export function compileFlowPolicy(input: unknown): CompileResult {
  const parsed = parseFlowPolicy(input);
  if (!parsed.ok) return parsed;
  return compileParsedPolicy(parsed.value);
}
