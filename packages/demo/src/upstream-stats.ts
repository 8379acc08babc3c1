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
  readonly latency: LatencySummary;
}

export interface UpstreamStatsSnapshot {
  readonly inService: number;
  readonly queueLength: number;
  readonly maxInService: number;
  /** Requests answered 2xx / 500. */
  readonly servedOk: number;
  readonly servedError: number;
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

export class UpstreamStats {
  servedOk = 0;
  servedError = 0;
  readonly #samples: Sample[] = [];
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

  snapshot(live: {
    readonly inService: number;
    readonly queueLength: number;
    readonly maxInService: number;
  }): UpstreamStatsSnapshot {
    return {
      ...live,
      servedOk: this.servedOk,
      servedError: this.servedError,
      latency: summarizeLatencies(this.#samples.map((sample) => sample.latencyMs)),
      queueWait: summarizeLatencies(this.#waits),
    };
  }

  /** Requests that finished in seconds [fromSecond, toSecond) since start, summarised together. */
  window(fromSecond: number, toSecond: number): Omit<UpstreamSecond, 'second'> {
    const inWindow = this.#samples.filter(
      (sample) => sample.atMs >= fromSecond * 1000 && sample.atMs < toSecond * 1000,
    );
    return summarize(inWindow);
  }

  /** One entry per second that saw a request finish, in order. */
  perSecond(): UpstreamSecond[] {
    const seconds = new Map<number, Sample[]>();
    for (const sample of this.#samples) {
      const second = Math.floor(sample.atMs / 1000);
      const list = seconds.get(second) ?? [];
      list.push(sample);
      seconds.set(second, list);
    }
    return [...seconds.entries()]
      .sort(([a], [b]) => a - b)
      .map(([second, samples]) => ({ second, ...summarize(samples) }));
  }
}

function summarize(samples: readonly Sample[]): Omit<UpstreamSecond, 'second'> {
  return {
    servedOk: samples.filter((sample) => sample.ok).length,
    servedError: samples.filter((sample) => !sample.ok).length,
    latency: summarizeLatencies(samples.map((sample) => sample.latencyMs)),
  };
}
