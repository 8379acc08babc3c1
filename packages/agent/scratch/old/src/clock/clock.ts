/** A scheduled callback that can be cancelled. */
export interface Timer {
  cancel(): void;
}

/**
 * Time as the agent's logic sees it. Logic modules never read the system clock or start timers
 * themselves, so tests can step time deterministically.
 */
export interface Clock {
  /** Monotonic milliseconds; only differences are meaningful. */
  now(): number;
  /** Calls `callback` once, `delayMs` from now (0 or less: on the next turn). */
  setTimer(callback: () => void, delayMs: number): Timer;
}

/** Uniform random numbers in [0, 1). */
export type RandomSource = () => number;
