/** Order statistics for benchmark samples. Pure. */

/** Nearest-rank percentile (`q` in [0, 1]) of ascending `sorted`; NaN when empty. */
export function percentileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** Percentiles of samples in any order (copied and sorted once for all of `qs`). */
export function percentiles(samples: readonly number[], qs: readonly number[]): number[] {
  const sorted = [...samples].sort((a, b) => a - b);
  return qs.map((q) => percentileOfSorted(sorted, q));
}

/**
 * Median of repeats. With an even count it is the mean of the two middle values, so two repeats do
 * not silently favour the lower one.
 */
export function median(values: readonly number[]): number {
  const finite = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 === 1
    ? (finite[middle] ?? Number.NaN)
    : ((finite[middle - 1] ?? Number.NaN) + (finite[middle] ?? Number.NaN)) / 2;
}

/** `numerator / denominator`, NaN when either is missing or the denominator is not positive. */
export function ratio(numerator: number, denominator: number): number {
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator <= 0) return Number.NaN;
  return numerator / denominator;
}
