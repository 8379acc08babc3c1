import type { RandomSource } from '@sluice/clock';

export interface BackoffOptions {
  /** Ceiling of the first delay after a failure. @default 500 */
  readonly initialMs?: number;
  /**
   * Largest ceiling: a controller that restarts is dialled again within this. Full jitter spreads many
   * agents over it. @default 5000
   */
  readonly maxMs?: number;
  /**
   * Delay before the next Connect after a replica refused as not the leader, with ±50 % jitter. Short:
   * the next Connect goes to another replica, which may lead. @default 200
   */
  readonly notLeaderDelayMs?: number;
  /**
   * Consecutive not-leader refusals retried after `notLeaderDelayMs`; past them the usual backoff takes
   * over. The default covers 15 s of refusals, the time a new leader may take after a crash (lease 8 s
   * + retry 2 s after the last renewal, with margin). @default 75
   */
  readonly notLeaderRetries?: number;
}

export const DEFAULT_BACKOFF_INITIAL_MS = 500;
export const DEFAULT_BACKOFF_MAX_MS = 5000;
export const DEFAULT_NOT_LEADER_DELAY_MS = 200;
export const DEFAULT_NOT_LEADER_RETRIES = 75;

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
  const ceiling = Math.min(
    options.maxMs ?? DEFAULT_BACKOFF_MAX_MS,
    (options.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS) * 2 ** Math.min(attempt, 30),
  );
  return Math.floor(random() * ceiling);
}

/** How a Connect stream ended, as far as the next delay goes. */
export type StreamEnd = 'not-leader' | 'failure';

/** The delay before the next Connect, and which rule chose it. */
export type ReconnectDelay =
  | { readonly kind: 'not-leader'; readonly delayMs: number; readonly refusals: number }
  | { readonly kind: 'backoff'; readonly delayMs: number; readonly attempt: number };

/**
 * The reconnect delays of one controller link. After a failure (a lost stream, no replica reachable)
 * it backs off with full jitter, the ceiling doubling per failure up to `maxMs`. After a replica
 * refused as not the leader it retries after `notLeaderDelayMs` ± 50 % without growing the backoff, for
 * up to `notLeaderRetries` refusals in a row (then as after a failure): with several replicas the next
 * Connect lands on another one, and during a takeover the new leader serves within seconds. A stream
 * the controller accepted resets both counts.
 */
export class ReconnectBackoff {
  readonly #random: RandomSource;
  readonly #options: BackoffOptions;
  #attempt = 0;
  #refusals = 0;

  constructor(random: RandomSource, options: BackoffOptions = {}) {
    this.#random = random;
    this.#options = options;
  }

  /** Called when a stream ended; returns the delay before the next Connect. */
  next(end: StreamEnd): ReconnectDelay {
    if (end === 'not-leader') {
      this.#refusals += 1;
      if (this.#refusals <= (this.#options.notLeaderRetries ?? DEFAULT_NOT_LEADER_RETRIES)) {
        const base = this.#options.notLeaderDelayMs ?? DEFAULT_NOT_LEADER_DELAY_MS;
        return {
          kind: 'not-leader',
          delayMs: Math.floor(base * (0.5 + this.#random())),
          refusals: this.#refusals,
        };
      }
    } else {
      this.#refusals = 0;
    }
    const attempt = this.#attempt;
    this.#attempt += 1;
    return { kind: 'backoff', delayMs: reconnectDelayMs(attempt, this.#random, this.#options), attempt };
  }

  /** Called when the controller accepted a stream (its first message arrived). */
  reset(): void {
    this.#attempt = 0;
    this.#refusals = 0;
  }
}
