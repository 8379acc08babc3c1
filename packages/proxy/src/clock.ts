/**
 * Time, injected: logic modules take a {@link Clock} so tests can step time instead of sleeping.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds, for durations. */
  now(): number;
  /** Unix epoch milliseconds, for timestamps sent to others. */
  wallNow(): number;
  /** Calls `callback` once after `delayMs`. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
}

/** The process's clocks. Timers are unref'd: a pending flush never keeps the process alive. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimer(delayMs, callback) {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
