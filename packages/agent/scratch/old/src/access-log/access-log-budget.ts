import type { Clock } from '../clock/clock.js';
import { newBucketState, refill, type BucketState } from '../token-bucket/bucket-fill.js';
import type { BucketParameters } from '../token-bucket/bucket-parameters.js';

export interface AccessLogBudgetOptions {
  readonly clock: Clock;
  /** Records processed per second, refilled continuously; one second of them is the burst. */
  readonly recordsPerSecond: number;
}

/**
 * How many access-log records the agent parses and meters. Logs share the agent's one thread with
 * Checks, so past the budget a record is dropped (and counted by the caller) instead of parsed: a
 * flood then costs protobuf decoding only, and Check latency holds. A token bucket on the agent's
 * clock, full at start. Pure: no timers, no I/O.
 */
export class AccessLogBudget {
  private readonly parameters: BucketParameters;
  private readonly state: BucketState;

  /** @throws RangeError when `recordsPerSecond` is not a positive finite number. */
  constructor(private readonly options: AccessLogBudgetOptions) {
    if (!Number.isFinite(options.recordsPerSecond) || options.recordsPerSecond <= 0)
      throw new RangeError(
        `access-log budget: recordsPerSecond ${options.recordsPerSecond} must be a positive number`,
      );
    this.parameters = {
      capacity: options.recordsPerSecond,
      fillAmount: options.recordsPerSecond,
      intervalMs: 1000,
      continuousFill: true,
    };
    this.state = newBucketState(this.parameters, options.clock.now());
  }

  /** Takes up to `records` whole tokens and returns how many of the records may be processed now. */
  admit(records: number): number {
    refill(this.state, this.parameters, this.options.clock.now());
    const admitted = Math.max(0, Math.min(records, Math.floor(this.state.available)));
    this.state.available -= admitted;
    return admitted;
  }
}
