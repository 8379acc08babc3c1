/** Aperture's default flux-meter buckets (ms). */
export const DEFAULT_FLUX_METER_BUCKETS_MS: readonly number[] = [
  5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
];

/** The label set of one flux-meter series (names as in the sync proto). */
export interface FluxMeterSeriesLabels {
  readonly decision_type: 'accepted' | 'rejected';
  readonly status_code: string;
  readonly flow_status: 'OK' | 'Error';
  /** `true` for a flow that never got an upstream response (see readStalledFlow), else `false`. */
  readonly stalled: 'true' | 'false';
}

export interface FluxMeterSeriesDelta {
  readonly labels: FluxMeterSeriesLabels;
  readonly count: number;
  readonly latencySumMs: number;
  /** Per bucket, not cumulative; bounds.length + 1 entries (the last is +Inf). */
  readonly bucketCounts: number[];
}

/**
 * Latency observations of one flux meter between two reports. Buckets are upper-inclusive
 * (`le`, as Prometheus counts them).
 */
export class FluxMeterHistogram {
  private series = new Map<
    string,
    { labels: FluxMeterSeriesLabels; count: number; sum: number; buckets: number[] }
  >();

  constructor(
    readonly name: string,
    readonly boundsMs: readonly number[],
  ) {
    for (let i = 1; i < boundsMs.length; i++) {
      if (!((boundsMs[i] ?? 0) > (boundsMs[i - 1] ?? 0)))
        throw new Error(
          `flux meter ${name}: bucket bounds must be strictly ascending, got ${boundsMs.join(', ')}`,
        );
    }
  }

  observe(labels: FluxMeterSeriesLabels, latencyMs: number): void {
    const key = `${labels.decision_type}|${labels.status_code}|${labels.flow_status}|${labels.stalled}`;
    let entry = this.series.get(key);
    if (entry === undefined)
      this.series.set(
        key,
        (entry = { labels, count: 0, sum: 0, buckets: new Array<number>(this.boundsMs.length + 1).fill(0) }),
      );
    entry.count++;
    entry.sum += latencyMs;
    let index = this.boundsMs.findIndex((bound) => latencyMs <= bound);
    if (index < 0) index = this.boundsMs.length;
    entry.buckets[index] = (entry.buckets[index] ?? 0) + 1;
  }

  /** Series observed since the last drain; resets them. */
  drain(): FluxMeterSeriesDelta[] {
    const out = [...this.series.values()].map((entry) => ({
      labels: entry.labels,
      count: entry.count,
      latencySumMs: entry.sum,
      bucketCounts: entry.buckets,
    }));
    this.series = new Map();
    return out;
  }
}
