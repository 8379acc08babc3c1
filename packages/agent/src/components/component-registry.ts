import type { CompiledClassifier, CompiledComponent, CompiledFluxMeter } from '@sluice/spec';
import type { Clock } from '@sluice/clock';
import { FluxMeterHistogram } from '../access-log/flux-meter-histogram.js';
import {
  LoadScheduler,
  type DecisionApplication,
  type LoadDecisionInput,
} from '../load-scheduler/load-scheduler.js';
import type { WindowedCounterOptions } from '../load-scheduler/windowed-counter.js';
import { RateLimiter } from '../rate-limiter/rate-limiter.js';
import { REQUEST_CONTENT_LENGTH_LABEL, REQUEST_HEADER_LABEL_PREFIX } from '../flow-labels/request-labels.js';
import { componentSelects, type FlowTarget } from '../selection/flow-target.js';
import { labelKeysRead } from '../selection/labels-read.js';
import type { BucketStore } from '../token-bucket/bucket-store.js';

/** One policy's compiled components as the controller sends them. */
export interface PolicyComponents {
  readonly policyName: string;
  readonly policyHash: string;
  readonly components: readonly CompiledComponent[];
}

interface PolicyRuntime {
  readonly policyHash: string;
  /** Some component reads a header or size label (see readsRequestOnlyLabels). */
  readonly readsRequestOnlyLabels: boolean;
  /** Tokens label keys of components that do not let baggage set them (see tokenKeysClosedToBaggage). */
  readonly tokenKeysClosedToBaggage: readonly string[];
  readonly classifiers: CompiledClassifier[];
  readonly fluxMeters: Array<{ config: CompiledFluxMeter; histogram: FluxMeterHistogram }>;
  readonly rateLimiters: RateLimiter[];
  readonly loadSchedulers: LoadScheduler[];
}

export interface ComponentRegistryOptions {
  readonly clock: Clock;
  readonly agentGroup: string;
  readonly localStore: BucketStore;
  /** Shared store for `backend: redis` limiters; without it they use the local store (and are counted). */
  readonly redisStore?: BucketStore;
  readonly window?: WindowedCounterOptions;
  readonly onDecisionExpired?: (scheduler: LoadScheduler) => void;
}

export interface ReplaceResult {
  readonly applied: string[];
  /** Policies whose new compile failed; their previous version (if any) stays active. */
  readonly failed: Array<{ readonly policyName: string; readonly error: string }>;
  readonly removed: string[];
  /** Redis-backed limiters running on the local store because no Redis is configured. */
  readonly redisUnavailable: number;
}

/** Components that select one flow, split by role. */
export interface SelectedComponents {
  readonly rateLimiters: RateLimiter[];
  readonly loadSchedulers: LoadScheduler[];
  readonly fluxMeters: Array<{ config: CompiledFluxMeter; histogram: FluxMeterHistogram }>;
}

/**
 * The agent's running policies. Replacing the set keeps the runtime state (buckets, queues,
 * decisions) of policies whose hash did not change, and keeps the last good version of a policy
 * whose new compile cannot be built.
 */
export class ComponentRegistry {
  private policies = new Map<string, PolicyRuntime>();
  private anyReadsRequestOnlyLabels = false;
  private closedTokenKeys: ReadonlySet<string> = new Set();

  constructor(private readonly options: ComponentRegistryOptions) {}

  /**
   * True when a running component reads a label only the request's headers or size give
   * (`http.request.header.*`, `http.request_content_length`), in a matcher or as a label key. When
   * none does, a Check need not derive those labels: they are never telemetry, so nothing else
   * sees them (previews aside, which the Check path checks itself).
   */
  get readsRequestOnlyLabels(): boolean {
    return this.anyReadsRequestOnlyLabels;
  }

  /**
   * Tokens label keys that baggage may not set: those of every running rate limiter and load
   * scheduler without `tokensFromBaggage`. A key one policy opens and another does not stays closed.
   */
  get tokenKeysClosedToBaggage(): ReadonlySet<string> {
    return this.closedTokenKeys;
  }

  get policyNames(): string[] {
    return [...this.policies.keys()].sort();
  }

  /** Whether a policy of this name is running (its name may become a metric label value). */
  hasPolicy(policyName: string): boolean {
    return this.policies.has(policyName);
  }

  /**
   * Replaces the running set. Policies named in `keep` (their new version failed to parse) stay
   * as they are when present.
   */
  replaceAll(policies: readonly PolicyComponents[], keep: readonly string[] = []): ReplaceResult {
    const next = new Map<string, PolicyRuntime>();
    for (const name of keep) {
      const current = this.policies.get(name);
      if (current !== undefined) next.set(name, current);
    }
    const applied: string[] = [];
    const failed: ReplaceResult['failed'] = [];
    let redisUnavailable = 0;
    for (const policy of policies) {
      const current = this.policies.get(policy.policyName);
      if (current !== undefined && current.policyHash === policy.policyHash) {
        next.set(policy.policyName, current);
        continue;
      }
      try {
        const built = this.build(policy);
        redisUnavailable += built.redisUnavailable;
        next.set(policy.policyName, built.runtime);
        applied.push(policy.policyName);
      } catch (error) {
        failed.push({ policyName: policy.policyName, error: (error as Error).message });
        if (current !== undefined) next.set(policy.policyName, current);
      }
    }
    const removed = [...this.policies.keys()].filter((name) => !next.has(name));
    for (const name of removed)
      for (const scheduler of this.policies.get(name)?.loadSchedulers ?? []) scheduler.removeDecision();
    this.policies = next;
    this.anyReadsRequestOnlyLabels = [...next.values()].some((policy) => policy.readsRequestOnlyLabels);
    this.closedTokenKeys = new Set([...next.values()].flatMap((policy) => policy.tokenKeysClosedToBaggage));
    return { applied, failed, removed, redisUnavailable };
  }

  private build(policy: PolicyComponents): { runtime: PolicyRuntime; redisUnavailable: number } {
    const runtime: PolicyRuntime = {
      policyHash: policy.policyHash,
      readsRequestOnlyLabels: policy.components.some((component) =>
        [...labelKeysRead(component)].some(
          (key) => key === REQUEST_CONTENT_LENGTH_LABEL || key.startsWith(REQUEST_HEADER_LABEL_PREFIX),
        ),
      ),
      tokenKeysClosedToBaggage: policy.components.flatMap((component) =>
        (component.kind === 'rate-limiter' || component.kind === 'load-scheduler') &&
        component.tokensLabelKey !== undefined &&
        component.tokensFromBaggage !== true
          ? [component.tokensLabelKey]
          : [],
      ),
      classifiers: [],
      fluxMeters: [],
      rateLimiters: [],
      loadSchedulers: [],
    };
    let redisUnavailable = 0;
    for (const component of policy.components) {
      switch (component.kind) {
        case 'classifier':
          runtime.classifiers.push(component);
          break;
        case 'flux-meter':
          runtime.fluxMeters.push({
            config: component,
            histogram: new FluxMeterHistogram(component.name, component.bucketsMs),
          });
          break;
        case 'rate-limiter': {
          let store = this.options.localStore;
          if (component.backend === 'redis') {
            if (this.options.redisStore === undefined) redisUnavailable++;
            else store = this.options.redisStore;
          }
          runtime.rateLimiters.push(new RateLimiter(component, store));
          break;
        }
        case 'load-scheduler':
          runtime.loadSchedulers.push(
            new LoadScheduler(component, {
              clock: this.options.clock,
              ...(this.options.window ? { window: this.options.window } : {}),
              ...(this.options.onDecisionExpired
                ? { onDecisionExpired: this.options.onDecisionExpired }
                : {}),
            }),
          );
          break;
      }
    }
    return { runtime, redisUnavailable };
  }

  /** Applies a load decision to the named scheduler. */
  applyDecision(
    policyName: string,
    componentId: string,
    decision: LoadDecisionInput,
  ): DecisionApplication | 'unknown-component' {
    const scheduler = this.policies
      .get(policyName)
      ?.loadSchedulers.find((candidate) => candidate.config.componentId === componentId);
    return scheduler === undefined ? 'unknown-component' : scheduler.applyDecision(decision);
  }

  /** Classifiers for a flow: selected on the request labels (classifier labels cannot select classifiers). */
  classifiersFor(target: FlowTarget, labels: Readonly<Record<string, string>>): CompiledClassifier[] {
    const out: CompiledClassifier[] = [];
    for (const policy of this.policies.values()) {
      for (const classifier of policy.classifiers)
        if (componentSelects(classifier.selectors, target, labels)) out.push(classifier);
    }
    return out;
  }

  select(target: FlowTarget, labels: Readonly<Record<string, string>>): SelectedComponents {
    const selected: SelectedComponents = { rateLimiters: [], loadSchedulers: [], fluxMeters: [] };
    for (const policy of this.policies.values()) {
      for (const limiter of policy.rateLimiters)
        if (componentSelects(limiter.config.selectors, target, labels)) selected.rateLimiters.push(limiter);
      for (const scheduler of policy.loadSchedulers)
        if (componentSelects(scheduler.config.selectors, target, labels))
          selected.loadSchedulers.push(scheduler);
      for (const meter of policy.fluxMeters)
        if (componentSelects(meter.config.selectors, target, labels)) selected.fluxMeters.push(meter);
    }
    return selected;
  }

  fluxMeter(policyName: string, name: string): FluxMeterHistogram | undefined {
    return this.policies.get(policyName)?.fluxMeters.find((meter) => meter.config.name === name)?.histogram;
  }

  allFluxMeters(): Array<{ config: CompiledFluxMeter; histogram: FluxMeterHistogram }> {
    return [...this.policies.values()].flatMap((policy) => policy.fluxMeters);
  }

  allLoadSchedulers(): LoadScheduler[] {
    return [...this.policies.values()].flatMap((policy) => policy.loadSchedulers);
  }
}
