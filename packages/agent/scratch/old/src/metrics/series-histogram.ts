import type { LabelValues } from 'prom-client';
import {
  SeriesMetric,
  type SeriesMetricConfiguration,
  type SeriesMetricObject,
  type SeriesSample,
} from './series-metric.js';

/** One labelled series of a {@link SeriesHistogram}; `observe` finds a bucket and adds. */
export class HistogramSeries<T extends string> {
  /** Per bucket, not cumulative; index i counts values in (bounds[i-1], bounds[i]]. */
  readonly counts: number[];
  sum = 0;
  count = 0;
  touched = false;

  constructor(
    readonly labels: LabelValues<T>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length).fill(0);
  }

  /** @throws TypeError for a value that is not a finite number (as prom-client). */
  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    // A value above every bound lands in +Inf only, which is the count.
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        break;
      }
    }
    this.sum += value;
    this.count += 1;
    this.touched = true;
  }
}

export interface SeriesHistogramConfiguration<T extends string> extends SeriesMetricConfiguration<T> {
  /** Upper bounds, ascending; +Inf is implied. */
  readonly buckets: readonly number[];
}

/**
 * A Prometheus histogram with prom-client's output and `observe(labels, value)`, plus
 * `series(labels)` for callers that observe the same series on every Check (see {@link SeriesMetric}).
 */
export class SeriesHistogram<T extends string = string> extends SeriesMetric<T, HistogramSeries<T>> {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];

  /** @throws Error for a label named `le`, which the bucket samples use (as prom-client). */
  constructor(config: SeriesHistogramConfiguration<T>) {
    if (config.labelNames?.includes('le' as T)) throw new Error('le is a reserved label keyword');
    super(config);
    this.buckets = [...config.buckets];
    // prom-client exports an unlabelled histogram, all zero, before its first observation.
    if (this.labelNames.length === 0) this.series({}).touched = true;
  }

  /** prom-client's signature: `observe(labels, value)` or `observe(value)`. */
  observe(labels: LabelValues<T> | number, value?: number): void {
    if (typeof labels === 'number') this.series({}).observe(labels);
    else this.series(labels).observe(value as number);
  }

  override reset(): void {
    for (const series of this.byKey.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
      series.touched = false;
    }
  }

  /** Samples with the series labels kept apart from `le`, as the Registry's text writer expects. */
  getForPromString(): Promise<SeriesMetricObject> {
    return Promise.resolve(this.metricObject(false));
  }

  /** Samples with `le` and the series labels in one object, as prom-client's `get()` returns them. */
  override get(): Promise<SeriesMetricObject> {
    return Promise.resolve(this.metricObject(true));
  }

  protected override createSeries(labels: LabelValues<T>): HistogramSeries<T> {
    return new HistogramSeries(labels, this.buckets);
  }

  // Sample order and shape follow prom-client's Histogram: cumulative buckets, +Inf, _sum, _count.
  private metricObject(splay: boolean): SeriesMetricObject {
    const values: SeriesSample[] = [];
    const sample = (
      metricName: string,
      own: Record<string, string | number>,
      shared: Record<string, string | number>,
      value: number,
      exemplar: boolean,
    ): SeriesSample => ({
      value,
      metricName,
      exemplar: exemplar ? null : undefined,
      ...(splay ? { labels: { ...own, ...shared } } : { labels: own, sharedLabels: shared }),
    });
    for (const series of this.byKey.values()) {
      if (!series.touched) continue;
      const shared = SeriesMetric.sampleLabels(series.labels);
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += series.counts[i] as number;
        values.push(sample(`${this.name}_bucket`, { le: bound }, shared, cumulative, true));
      });
      values.push(sample(`${this.name}_bucket`, { le: '+Inf' }, shared, series.count, true));
      values.push(sample(`${this.name}_sum`, {}, shared, series.sum, false));
      values.push(sample(`${this.name}_count`, {}, shared, series.count, false));
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
