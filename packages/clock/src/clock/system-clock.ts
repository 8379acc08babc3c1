import { performance } from 'node:perf_hooks';
import { checkIntervalMs, type Clock } from './clock.js';

export interface SystemClockOptions {
  /**
   * Unref every timer, so a pending timer alone never keeps the process alive (daemons that close
   * their servers to exit). Default false: timers hold the process like plain setTimeout.
   */
  readonly unrefTimers?: boolean;
}

/** The process's clocks: `performance.now()` (immune to wall-clock steps) and `Date.now()`. */
export function createSystemClock(options: SystemClockOptions = {}): Clock {
  const unref = options.unrefTimers ?? false;
  return {
    now: () => performance.now(),
    wallNow: () => Date.now(),
    setTimer(delayMs, callback) {
      const timer = setTimeout(callback, Math.max(0, delayMs));
      if (unref) timer.unref();
      return { cancel: () => clearTimeout(timer) };
    },
    setInterval(intervalMs, callback) {
      checkIntervalMs(intervalMs);
      const timer = setInterval(callback, intervalMs);
      if (unref) timer.unref();
      return { cancel: () => clearInterval(timer) };
    },
  };
}

/** The system clock with ref'd timers. */
export const systemClock: Clock = createSystemClock();

/** The system clock with unref'd timers. */
export const systemClockUnref: Clock = createSystemClock({ unrefTimers: true });
