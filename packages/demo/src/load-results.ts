/**
 * Classifies each answer and accumulates per-workload, per-second results. Pure: the generator feeds
 * it times relative to the run's start.
 *
 * "Admitted" means Sluice let the request through. When the proxy adds `x-sluice-decision`, that
 * header decides; otherwise the status does: 429 and 503 are Sluice's rejections (rate limiter and
 * scheduler), anything else passed it. Upstream errors (5xx other than 503, e.g. the demo upstream's
 * 500) were admitted and failed afterwards.
 */
import { summarizeLatencies, type LatencySummary } from './latency-percentiles.js';

/** Header the Sluice proxy can add with its ext_authz outcome. */
export const DECISION_HEADER = 'x-sluice-decision';

export type Outcome =
  | { readonly kind: 'admitted'; readonly status: number }
  | { readonly kind: 'rejected'; readonly status: number }
  | { readonly kind: 'failed'; readonly reason: 'network' | 'timeout' };

export function classifyResponse(status: number, decision: string | undefined): Outcome {
  if (decision === 'denied' || decision === 'failed-closed') return { kind: 'rejected', status };
  if (decision === 'allowed' || decision === 'failed-open') return { kind: 'admitted', status };
  return status === 429 || status === 503 ? { kind: 'rejected', status } : { kind: 'admitted', status };
}

export interface WorkloadCounts {
  /** Requests sent. */
  readonly offered: number;
  /** Requests Sluice let through (answered by the upstream). */
  readonly admitted: number;
  /** Admitted and answered 2xx/3xx/4xx. */
  readonly ok: number;
  /** Admitted and answered 5xx by the upstream (the demo upstream's 500s). */
  readonly upstreamErrors: number;
  /** Rejected by Sluice, by status (`"429"`, `"503"`). */
  readonly rejected: Readonly<Record<string, number>>;
  /** No answer: connection failed or timed out. */
  readonly failed: number;
  /** Client-side latency of admitted requests, ms. */
  readonly latency: LatencySummary;
}

export interface WorkloadSecond extends WorkloadCounts {
  /** Whole seconds since the start, by send time. */
  readonly second: number;
  /** Most virtual users active in this second (closed-loop), or 0. */
  readonly peakVirtualUsers: number;
}

export interface WorkloadReport extends WorkloadCounts {
  readonly perSecond: readonly WorkloadSecond[];
}

class Bucket {
  offered = 0;
  admitted = 0;
  ok = 0;
  upstreamErrors = 0;
  failed = 0;
  peakVirtualUsers = 0;
  readonly rejected: Record<string, number> = {};
  readonly latencies: number[] = [];

  add(outcome: Outcome, latencyMs: number): void {
    switch (outcome.kind) {
      case 'admitted':
        this.admitted += 1;
        if (outcome.status >= 500) this.upstreamErrors += 1;
        else this.ok += 1;
        this.latencies.push(latencyMs);
        break;
      case 'rejected':
        this.rejected[String(outcome.status)] = (this.rejected[String(outcome.status)] ?? 0) + 1;
        break;
      case 'failed':
        this.failed += 1;
        break;
    }
  }

  counts(): WorkloadCounts {
    return {
      offered: this.offered,
      admitted: this.admitted,
      ok: this.ok,
      upstreamErrors: this.upstreamErrors,
      rejected: { ...this.rejected },
      failed: this.failed,
      latency: summarizeLatencies(this.latencies),
    };
  }
}

export class LoadResults {
  readonly #workloads = new Map<string, { total: Bucket; seconds: Map<number, Bucket> }>();

  constructor(workloads: readonly string[]) {
    for (const name of workloads) this.#workloads.set(name, { total: new Bucket(), seconds: new Map() });
  }

  /** A request of `workload` left at `sentAtMs`. */
  offered(workload: string, sentAtMs: number): void {
    const entry = this.#entry(workload);
    entry.total.offered += 1;
    this.#second(entry.seconds, sentAtMs).offered += 1;
  }

  /** The request sent at `sentAtMs` ended with `outcome` after `latencyMs`. */
  completed(workload: string, sentAtMs: number, outcome: Outcome, latencyMs: number): void {
    const entry = this.#entry(workload);
    entry.total.add(outcome, latencyMs);
    this.#second(entry.seconds, sentAtMs).add(outcome, latencyMs);
  }

  /** `count` virtual users of `workload` are active at `atMs`. */
  virtualUsers(workload: string, atMs: number, count: number): void {
    const entry = this.#entry(workload);
    const bucket = this.#second(entry.seconds, atMs);
    bucket.peakVirtualUsers = Math.max(bucket.peakVirtualUsers, count);
    entry.total.peakVirtualUsers = Math.max(entry.total.peakVirtualUsers, count);
  }

  /** Results of one second, or undefined if nothing happened in it. */
  second(workload: string, second: number): WorkloadSecond | undefined {
    const bucket = this.#entry(workload).seconds.get(second);
    return bucket === undefined
      ? undefined
      : { second, peakVirtualUsers: bucket.peakVirtualUsers, ...bucket.counts() };
  }

  report(): Record<string, WorkloadReport> {
    const out: Record<string, WorkloadReport> = {};
    for (const [name, entry] of this.#workloads) {
      const perSecond = [...entry.seconds.entries()]
        .sort(([a], [b]) => a - b)
        .map(([second, bucket]) => ({
          second,
          peakVirtualUsers: bucket.peakVirtualUsers,
          ...bucket.counts(),
        }));
      out[name] = { ...entry.total.counts(), perSecond };
    }
    return out;
  }

  #entry(workload: string) {
    const entry = this.#workloads.get(workload);
    if (entry === undefined) throw new Error(`unknown workload "${workload}"`);
    return entry;
  }

  #second(seconds: Map<number, Bucket>, atMs: number): Bucket {
    const second = Math.max(0, Math.floor(atMs / 1000));
    let bucket = seconds.get(second);
    if (bucket === undefined) {
      bucket = new Bucket();
      seconds.set(second, bucket);
    }
    return bucket;
  }
}
