/**
 * When open-loop requests are due, for a rate that changes over time. Pure: the caller asks "how many
 * arrivals are due by t?" as its own clock advances.
 *
 * - `uniform`: arrivals at the integral of the rate crossing each whole number, so N requests/s
 *   for 2 s gives exactly 2N, evenly spaced.
 * - `poisson`: exponential gaps drawn from the random source at the rate in force.
 */
import type { RandomSource } from '@sluice/clock';

export interface OpenLoopArrivalsOptions {
  /** Requests per second at `tMs` since the start. */
  readonly rateAt: (tMs: number) => number;
  readonly process: 'uniform' | 'poisson';
  readonly random: RandomSource;
}

export class OpenLoopArrivals {
  readonly #options: OpenLoopArrivalsOptions;
  #lastMs = 0;
  /** uniform: arrivals accumulated so far (fractional). */
  #accumulated = 0;
  #emitted = 0;
  /** poisson: time of the next arrival. */
  #nextAtMs: number | undefined;

  constructor(options: OpenLoopArrivalsOptions) {
    this.#options = options;
  }

  /** Arrivals due in (previous call, `tMs`]; `tMs` must not go backwards. */
  dueBy(tMs: number): number {
    if (tMs <= this.#lastMs) return 0;
    return this.#options.process === 'uniform' ? this.#uniform(tMs) : this.#poisson(tMs);
  }

  #uniform(tMs: number): number {
    // Midpoint rule over the step: exact for constant and linear rates.
    const rate = this.#options.rateAt((this.#lastMs + tMs) / 2);
    this.#accumulated += (rate * (tMs - this.#lastMs)) / 1000;
    this.#lastMs = tMs;
    const due = Math.floor(this.#accumulated + 1e-9) - this.#emitted;
    this.#emitted += due;
    return due;
  }

  #poisson(tMs: number): number {
    let due = 0;
    let cursor = this.#lastMs;
    for (;;) {
      if (this.#nextAtMs === undefined) {
        const rate = this.#options.rateAt(cursor);
        if (rate <= 0) {
          // Nothing to draw at a zero rate; look again a little later.
          cursor += 10;
          if (cursor > tMs) break;
          continue;
        }
        this.#nextAtMs = cursor + (-Math.log(1 - this.#options.random()) / rate) * 1000;
      }
      if (this.#nextAtMs > tMs) break;
      due += 1;
      cursor = this.#nextAtMs;
      this.#nextAtMs = undefined;
    }
    this.#lastMs = tMs;
    return due;
  }
}
