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
