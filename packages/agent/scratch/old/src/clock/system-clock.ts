import { performance } from 'node:perf_hooks';
import type { Clock, RandomSource, Timer } from './clock.js';

/** The process's monotonic clock (performance.now), immune to wall-clock steps. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(callback, delayMs) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) } satisfies Timer;
  },
};

export const systemRandom: RandomSource = () => Math.random();
