import type { Clock } from '../../src/clock/clock.js';

/** A clock that moves only when the test says so; `every` callbacks run inside `advance`, in time order. */
export class ManualClock implements Clock {
  #now: number;
  readonly #timers = new Set<{ intervalMs: number; nextAt: number; callback: () => void }>();

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  every(intervalMs: number, callback: () => void): () => void {
    const timer = { intervalMs, nextAt: this.#now + intervalMs, callback };
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let next: { intervalMs: number; nextAt: number; callback: () => void } | undefined;
      for (const timer of this.#timers)
        if (timer.nextAt <= target && (next === undefined || timer.nextAt < next.nextAt)) next = timer;
      if (next === undefined) break;
      this.#now = next.nextAt;
      next.nextAt += next.intervalMs;
      next.callback();
    }
    this.#now = target;
  }
}
