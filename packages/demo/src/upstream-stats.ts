/**
 * What the demo upstream has seen: the live queue, served counts and latencies, in total, per second
 * and over any window of seconds. Latencies are measured inside the upstream (arrival to response,
 * so queue wait included): what a flux meter behind Envoy would see, not what the client sees.
 * Logic only: the server passes times in ms since it started.
 */
import { summarizeLatencies, type LatencySummary } from './latency-percentiles.js';

export interface UpstreamSecond {
  /** Whole seconds since the upstream started, by completion time. */
  readonly second: number;
  readonly servedOk: number;
  readonly servedError: number;
  /** Answered 503 at once, every worker busy (`overload: fast-503`); counted at arrival. */
  readonly overloadRejected: number;
  /** Held unserved, every worker busy (`overload: stall`); counted at arrival. */
  readonly stalled: number;
  /** Over the requests served (ok or 500); the overload failures above are not in it. */
  readonly latency: LatencySummary;
}

export interface UpstreamStatsSnapshot {
  readonly inService: number;
  readonly queueLength: number;
  readonly maxInService: number;
  /** Requests answered 2xx / 500. */
  readonly servedOk: number;
  readonly servedError: number;
  /** Requests answered 503 at once / held unserved because every worker was busy. */
  readonly overloadRejected: number;
  readonly stalled: number;
  /** Stalled requests still held now. */
  readonly stalling: number;
  /** Arrival to response, ms, over every request served. */
  readonly latency: LatencySummary;
  /** Arrival to start of service, ms. */
  readonly queueWait: LatencySummary;
}

interface Sample {
  readonly atMs: number;
  readonly ok: boolean;
  readonly latencyMs: number;
}

/** A request the upstream did not serve because every worker was busy. */
interface OverloadFailure {
  readonly atMs: number;
  readonly kind: 'rejected' | 'stalled';
}

export class UpstreamStats {
  servedOk = 0;
  servedError = 0;
  overloadRejected = 0;
  stalled = 0;
  readonly #samples: Sample[] = [];
  readonly #failures: OverloadFailure[] = [];
  readonly #waits: number[] = [];

  /** A request finished at `atMs` (ms since start). */
  served(options: {
    readonly atMs: number;
    readonly ok: boolean;
    readonly latencyMs: number;
    readonly waitMs: number;
  }): void {
    if (options.ok) this.servedOk += 1;
    else this.servedError += 1;
    this.#samples.push({ atMs: options.atMs, ok: options.ok, latencyMs: options.latencyMs });
    this.#waits.push(options.waitMs);
  }

  /** A request was not served at `atMs` because every worker was busy: answered 503, or stalled. */
  failed(options: { readonly atMs: number; readonly kind: 'rejected' | 'stalled' }): void {
    if (options.kind === 'rejected') this.overloadRejected += 1;
    else this.stalled += 1;
    this.#failures.push({ atMs: options.atMs, kind: options.kind });
  }

  snapshot(live: {
    readonly inService: number;
    readonly queueLength: number;
    readonly maxInService: number;
    readonly stalling: number;
  }): UpstreamStatsSnapshot {
    return {
      ...live,
      servedOk: this.servedOk,
      servedError: this.servedError,
      overloadRejected: this.overloadRejected,
      stalled: this.stalled,
      latency: summarizeLatencies(this.#samples.map((sample) => sample.latencyMs)),
      queueWait: summarizeLatencies(this.#waits),
    };
  }

  /** Requests that finished in seconds [fromSecond, toSecond) since start, summarised together. */
  window(fromSecond: number, toSecond: number): Omit<UpstreamSecond, 'second'> {
    const within = (atMs: number) => atMs >= fromSecond * 1000 && atMs < toSecond * 1000;
    return summarize(
      this.#samples.filter((sample) => within(sample.atMs)),
      this.#failures.filter((failure) => within(failure.atMs)),
    );
  }

  /** One entry per second that saw a request finish (or fail for overload), in order. */
  perSecond(): UpstreamSecond[] {
    const seconds = new Map<number, { samples: Sample[]; failures: OverloadFailure[] }>();
    const entry = (atMs: number) => {
      const second = Math.floor(atMs / 1000);
      let found = seconds.get(second);
      if (found === undefined) seconds.set(second, (found = { samples: [], failures: [] }));
      return found;
    };
    for (const sample of this.#samples) entry(sample.atMs).samples.push(sample);
    for (const failure of this.#failures) entry(failure.atMs).failures.push(failure);
    return [...seconds.entries()]
      .sort(([a], [b]) => a - b)
      .map(([second, { samples, failures }]) => ({ second, ...summarize(samples, failures) }));
  }
}

function summarize(
  samples: readonly Sample[],
  failures: readonly OverloadFailure[],
): Omit<UpstreamSecond, 'second'> {
  return {
    servedOk: samples.filter((sample) => sample.ok).length,
    servedError: samples.filter((sample) => !sample.ok).length,
    overloadRejected: failures.filter((failure) => failure.kind === 'rejected').length,
    stalled: failures.filter((failure) => failure.kind === 'stalled').length,
    latency: summarizeLatencies(samples.map((sample) => sample.latencyMs)),
  };
}
