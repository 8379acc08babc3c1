import type { CompiledLoadScheduler, CompiledWorkload, LabelMatcher } from '@sluice/spec';
import type { Clock } from '@sluice/clock';
import type { ComponentDecision, ComponentIdentity, DecisionReason } from '../pipeline/component-decision.js';
import { flowTokens } from '../rate-limiter/rate-limiter.js';
import { matchesLabels } from '../selection/label-matcher.js';
import { LoadMultiplierBucket } from './load-multiplier-bucket.js';
import { queueTimeoutMs } from './queue-timeout.js';
import { WfqScheduler, type ScheduleOutcome } from './scheduler-wfq.js';
import type { WindowedCounterOptions } from './windowed-counter.js';

/** Decision TTL when the controller sends 0 (DESIGN: 30 s on the agent's own clock). */
export const DEFAULT_DECISION_TTL_MS = 30_000;

/** A load decision as the agent applies it. */
export interface LoadDecisionInput {
  readonly policyHash: string;
  readonly loadMultiplier: number;
  readonly passThrough: boolean;
  /** 0 means DEFAULT_DECISION_TTL_MS. */
  readonly ttlMs: number;
}

/** What happened to a decision handed to `applyDecision`. */
export type DecisionApplication = 'applied' | 'applied-clamped' | 'pass-through' | 'stale-hash';

export interface WorkloadTokenCounts {
  incoming: number;
  accepted: number;
  rejected: number;
}

export interface LoadSchedulerOptions {
  readonly clock: Clock;
  /** Token-rate window; tests shorten it. @default DEFAULT_WINDOW (10 slots × 500 ms) */
  readonly window?: WindowedCounterOptions;
  /** Called when a decision lapses (its TTL passed on this agent's clock). */
  readonly onDecisionExpired?: (scheduler: LoadScheduler) => void;
}

/** The flow as a scheduler sees it. */
export interface ScheduledFlow {
  readonly labels: Readonly<Record<string, string>>;
  /** Absolute deadline on the scheduler's clock, from the Check's gRPC deadline. */
  readonly deadlineMs: number | undefined;
  /** Current event-loop lag estimate in ms. */
  readonly lagMs: number;
}

/**
 * A load scheduler: workloads (first match wins) feeding a WFQ queue that draws from a
 * load-multiplier bucket. Pass-through until a valid decision arrives, and again when it expires
 * (TTL counted on this agent's clock), says pass-through, or is removed.
 */
export class LoadScheduler {
  readonly identity: ComponentIdentity;
  readonly bucket: LoadMultiplierBucket;
  readonly queue: WfqScheduler;
  private decisionExpiresAtMs: number | undefined;
  private readonly counts = new Map<string, WorkloadTokenCounts>();

  constructor(
    readonly config: CompiledLoadScheduler,
    private readonly options: LoadSchedulerOptions,
  ) {
    this.identity = {
      policyName: config.policyName,
      policyHash: config.policyHash,
      componentId: config.componentId,
    };
    for (const workload of [...config.workloads, config.defaultWorkload]) {
      if (!(workload.priority > 0))
        throw new Error(
          `load scheduler ${config.policyName}/${config.componentId}: workload ${workload.name} priority ${workload.priority} must be > 0`,
        );
      if (!(workload.tokens >= 0))
        throw new Error(
          `load scheduler ${config.policyName}/${config.componentId}: workload ${workload.name} tokens ${workload.tokens} must be >= 0`,
        );
    }
    this.bucket = new LoadMultiplierBucket(options.window);
    this.queue = new WfqScheduler(this.bucket, options.clock);
  }

  applyDecision(decision: LoadDecisionInput): DecisionApplication {
    if (decision.policyHash !== this.config.policyHash) return 'stale-hash';
    const now = this.options.clock.now();
    this.decisionExpiresAtMs = now + (decision.ttlMs > 0 ? decision.ttlMs : DEFAULT_DECISION_TTL_MS);
    if (decision.passThrough) {
      this.bucket.setPassThrough();
      return 'pass-through';
    }
    return this.bucket.setLoadMultiplier(now, decision.loadMultiplier) ? 'applied-clamped' : 'applied';
  }

  /** The controller removed the decision (or the policy): pass-through. */
  removeDecision(): void {
    this.decisionExpiresAtMs = undefined;
    this.bucket.setPassThrough();
  }

  /** True when a decision has just expired (the caller counts it). */
  expireDecision(): boolean {
    if (this.decisionExpiresAtMs === undefined || this.options.clock.now() < this.decisionExpiresAtMs)
      return false;
    this.removeDecision();
    this.options.onDecisionExpired?.(this);
    return true;
  }

  workloadFor(labels: Readonly<Record<string, string>>): CompiledWorkload {
    return (
      this.config.workloads.find((workload) =>
        matchesLabels(workload.labelMatcher as LabelMatcher, labels),
      ) ?? this.config.defaultWorkload
    );
  }

  /** Token counters since the last call, per workload (for the controller report). */
  drainCounts(): Map<string, WorkloadTokenCounts> {
    const drained = new Map(this.counts);
    this.counts.clear();
    return drained;
  }

  private count(workload: string, field: keyof WorkloadTokenCounts, tokens: number): void {
    let entry = this.counts.get(workload);
    if (entry === undefined) this.counts.set(workload, (entry = { incoming: 0, accepted: 0, rejected: 0 }));
    entry[field] += tokens;
  }

  async decide(flow: ScheduledFlow): Promise<ComponentDecision> {
    return this.decideNow(flow);
  }

  /**
   * What `decide` resolves to, returned directly when the flow is not queued (pass-through,
   * bootstrapping, tokens available, dry run, rejected at once), so the pipeline need not wait a
   * microtask for it; a queued flow's decision is returned pending.
   */
  decideNow(flow: ScheduledFlow): ComponentDecision | Promise<ComponentDecision> {
    this.expireDecision();
    const now = this.options.clock.now();
    const workload = this.workloadFor(flow.labels);
    const tokens = flowTokens(flow.labels, this.config.tokensLabelKey, workload.tokens);
    this.bucket.recordIncoming(now, tokens);
    this.count(workload.name, 'incoming', tokens);
    if (this.config.dryRun) {
      // A dry run must not delay traffic: decide on the tokens available now.
      const outcome: ScheduleOutcome = this.bucket.bypass(now)
        ? { kind: 'admit', reason: 'bypass', queuedMs: 0 }
        : this.bucket.takeIfAvailable(now, tokens)
          ? { kind: 'admit', reason: 'tokens-available', queuedMs: 0 }
          : { kind: 'reject', reason: 'queue-timeout', queuedMs: 0 };
      return this.settle(workload.name, tokens, outcome);
    }
    const submitted = this.queue.submit({
      workload: workload.name,
      priority: workload.priority,
      tokens,
      fairnessKey:
        this.config.fairnessLabelKey === undefined ? undefined : flow.labels[this.config.fairnessLabelKey],
      timeoutMs: queueTimeoutMs({
        nowMs: now,
        deadlineMs: flow.deadlineMs,
        marginMs: this.config.decisionDeadlineMarginMs,
        lagMs: flow.lagMs,
        workloadTimeoutMs: workload.queueTimeoutMs,
        maxQueueTimeoutMs: this.config.maxQueueTimeoutMs,
      }),
    });
    if (submitted.kind === 'queued')
      return submitted.outcome.then((outcome) => this.settle(workload.name, tokens, outcome));
    return this.settle(workload.name, tokens, submitted);
  }

  /** Counts the outcome and turns it into the component's decision. */
  private settle(workload: string, tokens: number, outcome: ScheduleOutcome): ComponentDecision {
    const reason = outcomeReason(outcome, this.bucket.isPassThrough);
    if (outcome.kind === 'reject') {
      this.count(workload, 'rejected', tokens);
      return {
        identity: this.identity,
        kind: 'load-scheduler',
        enforced: !this.config.dryRun,
        deniedStatusCode: this.config.deniedResponseStatusCode,
        workload,
        tokens,
        admitted: false,
        reason,
        queuedMs: outcome.queuedMs,
      };
    }
    this.count(workload, 'accepted', tokens);
    const tookTokens = outcome.reason === 'tokens-available' || outcome.reason === 'queued-then-admitted';
    const decision: ComponentDecision = {
      identity: this.identity,
      kind: 'load-scheduler',
      enforced: !this.config.dryRun,
      deniedStatusCode: this.config.deniedResponseStatusCode,
      workload,
      tokens,
      admitted: true,
      reason,
      queuedMs: outcome.queuedMs,
    };
    return tookTokens
      ? { ...decision, giveBack: () => this.bucket.giveBack(this.options.clock.now(), tokens) }
      : decision;
  }
}

function outcomeReason(outcome: ScheduleOutcome, passThrough: boolean): DecisionReason {
  switch (outcome.reason) {
    case 'bypass':
      return passThrough ? 'pass-through' : 'bootstrapping';
    case 'zero-tokens':
      return 'zero-tokens';
    case 'tokens-available':
      return 'tokens-available';
    case 'queued-then-admitted':
      return 'queued-then-admitted';
    case 'queue-timeout':
      return 'queue-timeout';
    case 'no-fill':
      return 'no-fill';
  }
}
