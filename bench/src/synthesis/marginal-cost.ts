/**
 * Marginal cost per tenant between two scales, and the target that it must not grow: the cost of a
 * tenant from 1,000 to 5,000 within 2× of its cost from 100 to 1,000. A renderer that is linear in
 * the tenants passes at about 1×; one that does per-tenant work over all tenants (quadratic) fails
 * by roughly the ratio of the mean tenant counts (≈ 5×). Pure.
 */

export const MARGINAL_RATIO_TARGET = 2;

export interface ScalePoint {
  readonly tenants: number;
  /** Median time to render, ms. */
  readonly ms: number;
}

/** ms per tenant between scale `from` and scale `to`; NaN when either is missing. */
export function marginalMsPerTenant(points: readonly ScalePoint[], from: number, to: number): number {
  const a = points.find((point) => point.tenants === from);
  const b = points.find((point) => point.tenants === to);
  if (a === undefined || b === undefined || to === from) return Number.NaN;
  return (b.ms - a.ms) / (to - from);
}

/** (marginal 1,000→5,000) ÷ (marginal 100→1,000). */
export function marginalGrowth(points: readonly ScalePoint[]): {
  readonly low: number;
  readonly high: number;
  readonly ratio: number;
} {
  const low = marginalMsPerTenant(points, 100, 1000);
  const high = marginalMsPerTenant(points, 1000, 5000);
  return { low, high, ratio: low > 0 ? high / low : Number.NaN };
}
