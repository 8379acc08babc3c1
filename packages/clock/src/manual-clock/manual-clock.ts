import { checkIntervalMs, type Clock, type TimerHandle } from '../clock/clock.js';

interface Scheduled {
  at: number;
  /** Scheduling order; breaks ties between equal deadlines (first scheduled fires first). */
  seq: number;
  readonly intervalMs: number | undefined;
  readonly callback: () => void;
  cancelled: boolean;
}

export interface ManualClockOptions {
  /** Monotonic start, ms. Default 0. */
  readonly startMs?: number;
  /** Wall time (epoch ms) at the monotonic start. Default 1_700_000_000_000 (2023-11-14T22:13:20Z). */
  readonly wallStartMs?: number;
}

/**
 * A clock that moves only when the test says so. `advance(ms)` fires every timer and interval that falls
 * due on the way, in deadline order (ties: scheduling order), with `now()` equal to each one's deadline
 * while it runs. Timers scheduled from a callback fire in the same advance if they fall due within it.
 */
export class ManualClock implements Clock {
  #now: number;
  readonly #wallOffsetMs: number;
  #seq = 0;
  #scheduled: Scheduled[] = [];

  constructor(options: ManualClockOptions = {}) {
    this.#now = options.startMs ?? 0;
    this.#wallOffsetMs = (options.wallStartMs ?? 1_700_000_000_000) - this.#now;
  }

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.#wallOffsetMs + this.#now;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    return this.#schedule(Math.max(0, delayMs), undefined, callback);
  }

  setInterval(intervalMs: number, callback: () => void): TimerHandle {
    checkIntervalMs(intervalMs);
    return this.#schedule(intervalMs, intervalMs, callback);
  }

  /** Timers and intervals still waiting (not cancelled, not fired once-only). */
  get pendingTimers(): number {
    return this.#scheduled.filter((entry) => !entry.cancelled).length;
  }

  /** Moves time forward by `ms` (0 or more), firing what falls due on the way, in order. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`ManualClock.advance: ms is ${ms}; allowed: a finite number, 0 or more`);
    const target = this.#now + ms;
    for (;;) {
      const next = this.#nextDue(target);
      if (next === undefined) break;
      this.#now = Math.max(this.#now, next.at);
      if (next.intervalMs === undefined) next.cancelled = true;
      else {
        next.at += next.intervalMs;
        next.seq = this.#seq++;
      }
      next.callback();
    }
    this.#now = target;
    this.#scheduled = this.#scheduled.filter((entry) => !entry.cancelled);
  }

  #nextDue(target: number): Scheduled | undefined {
    let next: Scheduled | undefined;
    for (const entry of this.#scheduled)
      if (
        !entry.cancelled &&
        entry.at <= target &&
        (next === undefined || entry.at < next.at || (entry.at === next.at && entry.seq < next.seq))
      )
        next = entry;
    return next;
  }

  #schedule(delayMs: number, intervalMs: number | undefined, callback: () => void): TimerHandle {
    const entry: Scheduled = {
      at: this.#now + delayMs,
      seq: this.#seq++,
      intervalMs,
      callback,
      cancelled: false,
    };
    this.#scheduled.push(entry);
    return { cancel: () => (entry.cancelled = true) };
  }
}

/** Lets already-resolved promises run their continuations; no time passes. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
