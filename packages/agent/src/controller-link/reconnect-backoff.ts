import type { RandomSource } from '../clock/clock.js';

export interface BackoffOptions {
  /** @default 500 */
  readonly initialMs?: number;
  /** @default 30000 */
  readonly maxMs?: number;
}

/**
 * Full-jitter exponential backoff: a uniform delay in [0, min(max, initial × 2^attempt)), so agents
 * that lost the controller together do not reconnect in lockstep.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function reconnectDelayMs(
  attempt: number,
  random: RandomSource,
  options: BackoffOptions = {},
): number {
  const ceiling = Math.min(options.maxMs ?? 30_000, (options.initialMs ?? 500) * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
