/**
 * The error-ratio overload condition (issue 15): a service that answers fast 5xx under overload
 * keeps its OK latency normal, so the latency signal alone never throttles it. Pure.
 */

/**
 * How unlikely the window's failures must be for a service at its baseline error ratio: the
 * Chernoff–Hoeffding bound P(X ≥ k) ≤ exp(−n · KL(k/n ‖ p)) must be below one in a million
 * (ln 10⁶ ≈ 13.8 nats). Signal windows overlap, so this is per tick: about one false alarm in
 * 11 days of 1 s ticks for a service whose errors are independent, and one false alarm costs one
 * cut and its recovery. At low traffic it demands a large excess (7 failures of 10 flows over a 5%
 * baseline), which overload at 3× capacity shows at once (about 2 in 3 flows fail).
 */
export const ERROR_SIGNIFICANCE_NATS = Math.log(1e6);

/**
 * The baseline error ratio the significance test assumes at least: a service that has shown no error
 * in its baseline window is not taken as certain never to fail (a ratio of exactly 0 would make any
 * single error infinitely significant).
 */
export const MIN_TESTED_ERROR_RATIO = 1e-4;

/** The test of chance behind the error-ratio and the stall conditions (see {@link beyondChance}). */
export interface ChanceParameters {
  /** −ln of the chance below which a count counts as beyond chance. @default ERROR_SIGNIFICANCE_NATS (ln 10⁶) */
  readonly significanceNats: number;
  /** The least baseline ratio the test assumes, in (0, 0.5). @default MIN_TESTED_ERROR_RATIO (10⁻⁴) */
  readonly minTestedRatio: number;
}

export const DEFAULT_CHANCE_PARAMETERS: ChanceParameters = {
  significanceNats: ERROR_SIGNIFICANCE_NATS,
  minTestedRatio: MIN_TESTED_ERROR_RATIO,
};

export interface ErrorRatioInput {
  /** Admitted flows in the signal window that failed on the server's side (5xx, no status, stalled). */
  readonly failedCount: number;
  /** Admitted flows in the signal window that ended (completed or stalled). */
  readonly flowCount: number;
  /** The learnt error ratio; undefined while it warms up (the condition is then off). */
  readonly baselineRatio: number | undefined;
  /** `errorRatioTolerance`: the excess over the baseline ratio that counts as overload. */
  readonly tolerance: number;
}

export interface ErrorRatioCondition {
  /** failed ÷ flows over the window; undefined without flows. */
  readonly ratio: number | undefined;
  /** ratio > baseline + tolerance, and too many failures for chance (beyondChance). */
  readonly overloaded: boolean;
  /**
   * (1 − ratio) ÷ (1 − baseline) when overloaded, else 1: the share of admitted flows the service got
   * through, relative to normal. A service that answers the excess 503 at once serves about its
   * capacity, so multiplying the admitted load by this share admits about that capacity.
   */
  readonly gradient: number;
}

/** Kullback–Leibler divergence of Bernoulli(q) from Bernoulli(p), nats; p in (0, 1). */
export function bernoulliDivergence(q: number, p: number): number {
  const term = (a: number, b: number) => (a <= 0 ? 0 : a * Math.log(a / b));
  return term(q, p) + term(1 - q, 1 - p);
}

/**
 * Whether `count` of `flowCount` flows is more than chance allows for a service whose ratio is
 * `baselineRatio` (at least `minTestedRatio`; that floor when unknown): count ÷ flows above it, and
 * flows × KL(count ÷ flows ‖ baseline) ≥ `significanceNats`.
 */
export function beyondChance(
  input: { readonly count: number; readonly flowCount: number; readonly baselineRatio: number | undefined },
  chance: ChanceParameters = DEFAULT_CHANCE_PARAMETERS,
): boolean {
  const { count, flowCount } = input;
  if (!(flowCount > 0) || !(count > 0)) return false;
  const ratio = Math.min(1, count / flowCount);
  const least = chance.minTestedRatio;
  const tested = Math.min(1 - least, Math.max(least, input.baselineRatio ?? 0));
  return ratio > tested && flowCount * bernoulliDivergence(ratio, tested) >= chance.significanceNats;
}

/**
 * Whether `failedCount` of `flowCount` flows exceeds the baseline ratio (0 while unknown) by more than
 * the tolerance, with no test of chance: for one tick, whose few flows the window's test judges.
 */
export function aboveTolerance(input: ErrorRatioInput): boolean {
  return (
    input.flowCount > 0 && input.failedCount / input.flowCount > (input.baselineRatio ?? 0) + input.tolerance
  );
}

export function errorRatioCondition(
  input: ErrorRatioInput,
  chance: ChanceParameters = DEFAULT_CHANCE_PARAMETERS,
): ErrorRatioCondition {
  const flows = Number.isFinite(input.flowCount) && input.flowCount > 0 ? input.flowCount : 0;
  if (flows === 0) return { ratio: undefined, overloaded: false, gradient: 1 };
  const failed = Math.min(flows, Number.isFinite(input.failedCount) ? Math.max(0, input.failedCount) : 0);
  const ratio = failed / flows;
  const baseline = input.baselineRatio;
  if (baseline === undefined || !(ratio > baseline + input.tolerance))
    return { ratio, overloaded: false, gradient: 1 };
  if (!beyondChance({ count: failed, flowCount: flows, baselineRatio: baseline }, chance))
    return { ratio, overloaded: false, gradient: 1 };
  return { ratio, overloaded: true, gradient: (1 - ratio) / (1 - baseline) };
}
