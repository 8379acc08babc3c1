/**
 * Time as the controller sees it. Logic modules take a Clock instead of reading Date.now() or calling
 * setTimeout, so tests step time by hand and never sleep.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `callback` every `intervalMs` until the returned function is called. */
  every(intervalMs: number, callback: () => void): () => void;
}

/** The process clock; only main.ts and thin adapters use it. */
export const systemClock: Clock = {
  now: () => Date.now(),
  every(intervalMs, callback) {
    const timer = setInterval(callback, intervalMs);
    // A tick timer alone must not keep the process alive after the servers close.
    timer.unref();
    return () => clearInterval(timer);
  },
};
