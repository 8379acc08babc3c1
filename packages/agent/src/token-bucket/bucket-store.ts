/**
 * The rate-limit bucket backend contract: what a take asks for, what it answers, and the
 * {@link BucketStore} role the local and Redis backends implement.
 */
import type { BucketParameters } from './bucket-parameters.js';

/** A take against one bucket. */
export interface BucketTake {
  /** Bucket identity, unique across components (the backend prefixes it further). */
  readonly key: string;
  readonly tokens: number;
  readonly parameters: BucketParameters;
}

/** Which backend produced a decision; `fallback` is the local bucket standing in for a failed Redis call. */
export type DecisionSource = 'local' | 'redis' | 'fallback';

export interface BucketTakeResult {
  readonly allowed: boolean;
  /** Tokens left after the take (before it, when refused). */
  readonly remaining: number;
  /** When refused: ms until enough tokens will have accrued (Infinity when the bucket never refills). */
  readonly waitMs: number;
  readonly source: DecisionSource;
}

/**
 * One backend role: an atomic take-if-available and a give-back. The local and Redis backends
 * (`bucket-store-local.ts`, `bucket-store-redis.ts`) implement it and pass one contract suite
 * (test/support/bucket-store-contract.ts).
 */
export interface BucketStore {
  take(request: BucketTake): Promise<BucketTakeResult>;
  /**
   * The same take, answered synchronously by a store that decides in memory; a store that must
   * ask another process leaves it out. Saves the Check path a promise and a microtask per limiter.
   */
  takeNow?(request: BucketTake): BucketTakeResult;
  /**
   * Returns tokens a later pipeline stage made useless; capped at capacity. `source` is where
   * they were taken, so tokens taken from the fallback bucket go back there.
   */
  giveBack(request: BucketTake & { readonly source?: DecisionSource }): Promise<void>;
}
