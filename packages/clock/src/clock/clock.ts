/** A scheduled timer or interval; `cancel` is idempotent and safe after the timer has fired. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Time, injected. Logic takes a Clock instead of reading the system clock or starting timers itself,
 * so tests step time by hand and never sleep. Every scheduling method takes `(ms, callback)`.
 */
export interface Clock {
  /** Monotonic milliseconds; only differences are meaningful. For durations and deadlines. */
  now(): number;
  /** Milliseconds since the Unix epoch. For timestamps others read (logs, leases, wire fields). */
  wallNow(): number;
  /** Calls `callback` once, `delayMs` from now (0 or less: as soon as possible). */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  /** Calls `callback` every `intervalMs` (a positive, finite number) until cancelled. */
  setInterval(intervalMs: number, callback: () => void): TimerHandle;
}

/** Rejects an interval that would never advance time (or fire in a tight loop). */
export function checkIntervalMs(intervalMs: number): void {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0)
    throw new RangeError(`clock interval: intervalMs is ${intervalMs}; allowed: a finite number above 0`);
}
