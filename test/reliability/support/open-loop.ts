/** Open-loop pacing for the reliability tests' own clients. */
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Calls `send(index)` `ratePerSecond` times a second, evenly spaced, for `durationMs` or until
 * `signal` aborts, whatever the answers do (open loop), and resolves with every result once all
 * are in.
 */
export async function openLoop<T>(
  options: { readonly ratePerSecond: number; readonly durationMs: number; readonly signal?: AbortSignal },
  send: (index: number) => Promise<T>,
): Promise<T[]> {
  const total = Math.floor((options.durationMs * options.ratePerSecond) / 1000);
  const results: Promise<T>[] = [];
  const start = performance.now();
  for (let index = 0; index < total && options.signal?.aborted !== true; index += 1) {
    const wait = start + (index * 1000) / options.ratePerSecond - performance.now();
    // Pacing the arrivals, not synchronising with the system under test.
    if (wait > 1) await delay(wait);
    results.push(send(index));
  }
  return Promise.all(results);
}
