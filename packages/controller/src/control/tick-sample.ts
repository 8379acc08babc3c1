/**
 * What the agents reported for one load scheduler during one controller tick, summed over agents.
 * Latency counts come from the scheduler's signal flux meter, tokens from its token counters.
 */
export interface TickSample {
  /** Admitted flows that completed OK (the signal's population). */
  readonly okCount: number;
  /** Sum of their latencies in ms, agent queueing already subtracted by the agent. */
  readonly okLatencySumMs: number;
  /** Admitted flows that completed with any status: what the upstream got through. Stalled flows are not. */
  readonly completedCount: number;
  /** Admitted flows that never got an upstream response (series labelled `stalled: "true"`). */
  readonly stalledCount: number;
  /** Sum of their durations in ms (start to the local reply, agent queueing subtracted). */
  readonly stalledLatencySumMs: number;
  /** Admitted flows that failed on the server's side: 5xx, no status, or stalled (see isServerFailure). */
  readonly failedCount: number;
  readonly incomingTokens: number;
  readonly acceptedTokens: number;
  readonly rejectedTokens: number;
  /** Reports that contributed; 0 means every agent was silent for the tick. */
  readonly reportCount: number;
}

export const EMPTY_SAMPLE: TickSample = {
  okCount: 0,
  okLatencySumMs: 0,
  completedCount: 0,
  stalledCount: 0,
  stalledLatencySumMs: 0,
  failedCount: 0,
  incomingTokens: 0,
  acceptedTokens: 0,
  rejectedTokens: 0,
  reportCount: 0,
};

export function addSamples(a: TickSample, b: TickSample): TickSample {
  return {
    okCount: a.okCount + b.okCount,
    okLatencySumMs: a.okLatencySumMs + b.okLatencySumMs,
    completedCount: a.completedCount + b.completedCount,
    stalledCount: a.stalledCount + b.stalledCount,
    stalledLatencySumMs: a.stalledLatencySumMs + b.stalledLatencySumMs,
    failedCount: a.failedCount + b.failedCount,
    incomingTokens: a.incomingTokens + b.incomingTokens,
    acceptedTokens: a.acceptedTokens + b.acceptedTokens,
    rejectedTokens: a.rejectedTokens + b.rejectedTokens,
    reportCount: a.reportCount + b.reportCount,
  };
}

/** The last N tick samples, oldest first; the signal window of a loop. */
export class SampleWindow {
  readonly #samples: TickSample[] = [];

  constructor(readonly lengthTicks: number) {
    if (!Number.isInteger(lengthTicks) || lengthTicks < 1)
      throw new RangeError(`window length ${lengthTicks} must be a whole number of ticks >= 1`);
  }

  push(sample: TickSample): void {
    this.#samples.push(sample);
    if (this.#samples.length > this.lengthTicks) this.#samples.shift();
  }

  totals(): TickSample {
    return this.#samples.reduce(addSamples, EMPTY_SAMPLE);
  }

  /** Ticks held now (up to lengthTicks). */
  get size(): number {
    return this.#samples.length;
  }

  latest(): TickSample | undefined {
    return this.#samples.at(-1);
  }

  clear(): void {
    this.#samples.length = 0;
  }
}
