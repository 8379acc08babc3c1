/**
 * What a benchmark reports: plain figures, and targets with their verdict. A miss is reported, never
 * thrown: on a shared machine one noisy run must not fail a pipeline, and the JSON keeps the numbers
 * for a trend to judge. Pure.
 */

export interface Figure {
  /** Section of the table, e.g. `decision-path`. */
  readonly section: string;
  readonly name: string;
  readonly value: number;
  /** e.g. `µs`, `/s`, `ms`, `%`, `×`. */
  readonly unit: string;
  /** How the figure was obtained, when the name does not say. */
  readonly note?: string;
}

export type Comparison = 'at-most' | 'at-least';
export type Verdict = 'PASS' | 'MISS' | 'SKIP';

export interface TargetResult {
  readonly section: string;
  readonly name: string;
  /** The measured value (often a ratio taken within one run). */
  readonly measured: number;
  readonly comparison: Comparison;
  readonly limit: number;
  readonly unit: string;
  readonly verdict: Verdict;
  /** Why a target was skipped, or what the measured value is made of. */
  readonly note?: string;
}

/** Judges `measured` against `limit`; a value that could not be measured (NaN) is SKIP, not MISS. */
export function judge(options: {
  readonly section: string;
  readonly name: string;
  readonly measured: number;
  readonly comparison: Comparison;
  readonly limit: number;
  readonly unit: string;
  readonly note?: string;
}): TargetResult {
  const verdict: Verdict = !Number.isFinite(options.measured)
    ? 'SKIP'
    : (
          options.comparison === 'at-most'
            ? options.measured <= options.limit
            : options.measured >= options.limit
        )
      ? 'PASS'
      : 'MISS';
  return { ...options, verdict };
}

/** Everything one stage of the run produced. */
export interface StageReport {
  readonly stage: string;
  readonly figures: readonly Figure[];
  readonly targets: readonly TargetResult[];
  /** Why part or all of the stage was skipped. */
  readonly skipped: readonly string[];
  /** Stage-specific raw data for the JSON file (repeats, per-second series). */
  readonly details: unknown;
  readonly durationMs: number;
}
