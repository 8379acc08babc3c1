import { z } from 'zod';
import { ErrorRatioBaselineStateSchema } from './error-ratio-baseline-state.js';

/**
 * Persisted form of a baseline. Time is counted in learned ticks, not wall-clock time, so a baseline
 * restored after any downtime means what it meant when saved, and a period that taught nothing
 * (overload, throttling, silence) does not push older knowledge out of the window.
 */
export const BaselineStateSchema = z
  .object({
    version: z.literal(1),
    /** Ticks of traffic learned so far (saturates at the window length); warm-up compares against it. */
    learnedTicks: z.number().int().nonnegative(),
    /** Oldest first; each holds at most `ticksPerBucket` learned ticks. */
    buckets: z.array(
      z
        .object({
          ticks: z.number().int().nonnegative(),
          count: z.number().nonnegative(),
          sumMs: z.number().nonnegative(),
        })
        .strict(),
    ),
    /** The error-ratio baseline learnt alongside (absent in states saved before it existed). */
    errors: ErrorRatioBaselineStateSchema.optional(),
  })
  .strict();

export type BaselineState = z.output<typeof BaselineStateSchema>;

export interface LatencyBaselineOptions {
  /** Baseline window in ticks (baselineWindow ÷ evaluationInterval). */
  readonly windowTicks: number;
  /** Learned ticks needed before the baseline exists (warmUp ÷ evaluationInterval). */
  readonly warmUpTicks: number;
  /** A state to continue from (restart). */
  readonly restored?: BaselineState;
}

/** Buckets per window: the window slides in 1/60 steps, and the persisted state stays small. */
const BUCKETS_PER_WINDOW = 60;

/** Long-term mean OK latency: the mean over the most recent `windowTicks` learned ticks. */
export class LatencyBaseline {
  readonly #windowTicks: number;
  readonly #warmUpTicks: number;
  readonly #ticksPerBucket: number;
  #learnedTicks: number;
  #buckets: { ticks: number; count: number; sumMs: number }[];

  constructor(options: LatencyBaselineOptions) {
    this.#windowTicks = Math.max(1, Math.round(options.windowTicks));
    this.#warmUpTicks = Math.max(1, Math.round(options.warmUpTicks));
    this.#ticksPerBucket = Math.max(1, Math.ceil(this.#windowTicks / BUCKETS_PER_WINDOW));
    this.#learnedTicks = options.restored?.learnedTicks ?? 0;
    this.#buckets = (options.restored?.buckets ?? []).map((bucket) => ({ ...bucket }));
    this.#trim();
  }

  /** Adds one tick's OK flows. Ticks without flows teach nothing and are ignored. */
  learn(okCount: number, okLatencySumMs: number): void {
    if (!(okCount > 0) || !Number.isFinite(okLatencySumMs) || okLatencySumMs < 0) return;
    let last = this.#buckets.at(-1);
    if (last === undefined || last.ticks >= this.#ticksPerBucket) {
      last = { ticks: 0, count: 0, sumMs: 0 };
      this.#buckets.push(last);
    }
    last.ticks += 1;
    last.count += okCount;
    last.sumMs += okLatencySumMs;
    this.#learnedTicks = Math.min(this.#learnedTicks + 1, Math.max(this.#windowTicks, this.#warmUpTicks));
    this.#trim();
  }

  /** True once warm-up is complete. */
  get ready(): boolean {
    return this.#learnedTicks >= this.#warmUpTicks;
  }

  /** Mean latency in ms over the window, or undefined during warm-up. */
  valueMs(): number | undefined {
    if (!this.ready) return undefined;
    let count = 0;
    let sum = 0;
    for (const bucket of this.#buckets) {
      count += bucket.count;
      sum += bucket.sumMs;
    }
    return count > 0 ? sum / count : undefined;
  }

  snapshot(): BaselineState {
    return {
      version: 1,
      learnedTicks: this.#learnedTicks,
      buckets: this.#buckets.map((bucket) => ({ ...bucket })),
    };
  }

  #trim(): void {
    // Keep whole buckets covering the window; the oldest drops out once a newer one starts.
    const maxBuckets = Math.ceil(this.#windowTicks / this.#ticksPerBucket) + 1;
    while (this.#buckets.length > maxBuckets) this.#buckets.shift();
  }
}
