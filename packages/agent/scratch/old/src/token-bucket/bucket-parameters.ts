/** How a rate-limit bucket fills. Validated once when a component is applied. */
export interface BucketParameters {
  /** Tokens when full; a new bucket starts full. */
  readonly capacity: number;
  /** Tokens added per interval. 0 means the bucket never refills. */
  readonly fillAmount: number;
  readonly intervalMs: number;
  /** true: tokens trickle in continuously; false: fillAmount lands once per whole interval. */
  readonly continuousFill: boolean;
}

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
 * implement it and pass one contract suite (test/support/bucket-store-contract.ts).
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

/** Throws with the offending field when parameters could never describe a bucket. */
export function validateBucketParameters(parameters: BucketParameters, where: string): void {
  const problems: string[] = [];
  if (!(parameters.capacity > 0) || !Number.isFinite(parameters.capacity))
    problems.push(`bucketCapacity ${parameters.capacity} must be a finite number > 0`);
  if (!(parameters.fillAmount >= 0) || !Number.isFinite(parameters.fillAmount))
    problems.push(`fillAmount ${parameters.fillAmount} must be a finite number >= 0`);
  if (!(parameters.intervalMs > 0) || !Number.isFinite(parameters.intervalMs))
    problems.push(`intervalMs ${parameters.intervalMs} must be a finite number > 0`);
  if (problems.length > 0) throw new Error(`${where}: ${problems.join('; ')}`);
}
