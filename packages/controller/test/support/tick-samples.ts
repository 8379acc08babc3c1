import { EMPTY_SAMPLE, type TickSample } from '../../src/control/tick-sample.js';

export interface TickParts {
  /** OK flows and the latency of each, ms. */
  readonly ok?: readonly [count: number, latencyMs: number];
  /** Flows that failed at once (5xx). */
  readonly failed?: number;
  /** Stalled flows and the duration of each, ms. */
  readonly stalled?: readonly [count: number, durationMs: number];
  /** Incoming tokens. @default one per flow */
  readonly incoming?: number;
  /** Of those, admitted. @default all */
  readonly accepted?: number;
}

/** One agent report for a loop: OK flows, fast failures and stalls, and the token counters. */
export function tickSample(parts: TickParts): TickSample {
  const [okCount, okMs] = parts.ok ?? [0, 0];
  const failed = parts.failed ?? 0;
  const [stalledCount, stalledMs] = parts.stalled ?? [0, 0];
  const incoming = parts.incoming ?? okCount + failed + stalledCount;
  const accepted = parts.accepted ?? incoming;
  return {
    ...EMPTY_SAMPLE,
    okCount,
    okLatencySumMs: okCount * okMs,
    completedCount: okCount + failed,
    stalledCount,
    stalledLatencySumMs: stalledCount * stalledMs,
    failedCount: failed + stalledCount,
    incomingTokens: incoming,
    acceptedTokens: accepted,
    rejectedTokens: incoming - accepted,
    reportCount: 1,
  };
}
