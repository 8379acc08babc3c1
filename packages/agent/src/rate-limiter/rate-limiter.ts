import type { CompiledRateLimiter } from '@sluice/spec';
import { validateBucketParameters, type BucketParameters } from '../token-bucket/bucket-parameters.js';
import type { BucketStore, BucketTake, BucketTakeResult } from '../token-bucket/bucket-store.js';
import type { ComponentDecision, ComponentIdentity } from '../pipeline/component-decision.js';

/**
 * Most tokens one flow may ask for. The tokens label can come from baggage, which clients set: a
 * value such as 1e308 would overflow the schedulers' token-rate sums to ∞ (and ∞ × a load
 * multiplier of 0 to NaN), admitting every flow until it left the window. Below 2^53 sums stay finite.
 */
export const MAX_FLOW_TOKENS = Number.MAX_SAFE_INTEGER;

/**
 * Tokens a flow takes: the tokens label when it holds a number above 0, at least the configured
 * tokens (`configured`, the workload's or the limiter's 1) and at most MAX_FLOW_TOKENS; else the
 * configured tokens. A label can make a flow dearer, never cheaper: it may come from a header or
 * body a client writes, and `0` or `0.0000001` would let every request through a limit.
 */
export function flowTokens(
  labels: Readonly<Record<string, string>>,
  tokensLabelKey: string | undefined,
  configured: number,
): number {
  if (tokensLabelKey === undefined) return configured;
  const raw = labels[tokensLabelKey];
  if (raw === undefined || raw.trim() === '') return configured;
  const value = Number(raw);
  return value > 0 && value >= configured && value <= MAX_FLOW_TOKENS ? value : configured;
}

/**
 * A token bucket per value of `limitByLabelKey` (one bucket when unset). A flow without the label
 * is admitted (reason label-missing): limiting it would lump every unlabelled flow into one bucket.
 */
export class RateLimiter {
  readonly identity: ComponentIdentity;
  private readonly parameters: BucketParameters;
  /** Bucket keys are built per Check; their constant parts are built once. */
  private readonly keyPrefix: string;
  private readonly defaultKey: string;

  constructor(
    readonly config: CompiledRateLimiter,
    private readonly store: BucketStore,
  ) {
    this.identity = {
      policyName: config.policyName,
      policyHash: config.policyHash,
      componentId: config.componentId,
    };
    this.parameters = {
      capacity: config.bucketCapacity,
      fillAmount: config.fillAmount,
      intervalMs: config.intervalMs,
      continuousFill: config.continuousFill,
    };
    validateBucketParameters(this.parameters, `rate limiter ${config.policyName}/${config.componentId}`);
    const base = `${config.policyName}/${config.componentId}`;
    this.keyPrefix = `${base}/${config.limitByLabelKey ?? ''}:`;
    this.defaultKey = `${base}/default`;
  }

  /** Bucket key: stable across agents so Redis-backed limiters share one bucket per label value. */
  bucketKey(labelValue: string | undefined): string {
    return labelValue === undefined ? this.defaultKey : this.keyPrefix + labelValue;
  }

  async decide(labels: Readonly<Record<string, string>>): Promise<ComponentDecision> {
    return this.decideNow(labels);
  }

  /**
   * What `decide` resolves to, returned directly when the store answers synchronously (the local
   * store), so the pipeline need not wait a microtask for it; otherwise the pending decision.
   */
  decideNow(labels: Readonly<Record<string, string>>): ComponentDecision | Promise<ComponentDecision> {
    const key = this.config.limitByLabelKey;
    const labelValue = key === undefined ? undefined : labels[key];
    const tokens = flowTokens(labels, this.config.tokensLabelKey, 1);
    if (key !== undefined && labelValue === undefined) return this.admittedWithout('label-missing', tokens);
    if (tokens === 0) return this.admittedWithout('zero-tokens', tokens);
    const take: BucketTake = { key: this.bucketKey(labelValue), tokens, parameters: this.parameters };
    if (this.store.takeNow !== undefined) return this.fromTake(take, this.store.takeNow(take));
    return this.store.take(take).then((result) => this.fromTake(take, result));
  }

  /** Admitted without touching a bucket. */
  private admittedWithout(reason: 'label-missing' | 'zero-tokens', tokens: number): ComponentDecision {
    return {
      identity: this.identity,
      kind: 'rate-limiter',
      enforced: !this.config.dryRun,
      deniedStatusCode: this.config.deniedResponseStatusCode,
      queuedMs: 0,
      admitted: true,
      reason,
      tokens,
    };
  }

  private fromTake(take: BucketTake, result: BucketTakeResult): ComponentDecision {
    if (result.allowed) {
      return {
        identity: this.identity,
        kind: 'rate-limiter',
        enforced: !this.config.dryRun,
        deniedStatusCode: this.config.deniedResponseStatusCode,
        queuedMs: 0,
        admitted: true,
        reason: 'tokens-available',
        tokens: take.tokens,
        source: result.source,
        giveBack: () => void this.store.giveBack({ ...take, source: result.source }).catch(() => undefined),
      };
    }
    return {
      identity: this.identity,
      kind: 'rate-limiter',
      enforced: !this.config.dryRun,
      deniedStatusCode: this.config.deniedResponseStatusCode,
      queuedMs: 0,
      admitted: false,
      reason: 'rate-limited',
      tokens: take.tokens,
      source: result.source,
      waitMs: result.waitMs,
    };
  }
}
