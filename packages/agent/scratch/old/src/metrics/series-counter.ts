import type { LabelValues } from 'prom-client';
import {
  SeriesMetric,
  type SeriesMetricConfiguration,
  type SeriesMetricObject,
  type SeriesSample,
} from './series-metric.js';

/** One labelled series of a {@link SeriesCounter}; `inc` is an addition. */
export class CounterSeries<T extends string> {
  value = 0;
  /** Exported once updated (a series prom-client has not been asked to count does not exist). */
  touched = false;

  constructor(readonly labels: LabelValues<T>) {}

  /** @throws TypeError for a value that is not a finite number, Error for a negative one (as prom-client). */
  inc(amount = 1): void {
    if (!Number.isFinite(amount)) throw new TypeError(`Value is not a valid number: ${amount}`);
    if (amount < 0) throw new Error('It is not possible to decrease a counter');
    this.value += amount;
    this.touched = true;
  }
}

/**
 * A Prometheus counter with prom-client's output and `inc(labels, value)`, plus `series(labels)`
 * for callers that update the same series on every Check (see {@link SeriesMetric}).
 */
export class SeriesCounter<T extends string = string> extends SeriesMetric<T, CounterSeries<T>> {
  readonly type = 'counter' as const;

  constructor(config: SeriesMetricConfiguration<T>) {
    super(config);
    // prom-client exports an unlabelled counter at 0 before its first increment.
    if (this.labelNames.length === 0) this.series({}).touched = true;
  }

  /** prom-client's signature: `inc(labels, amount)`, `inc(labels)`, `inc(amount)` or `inc()`. */
  inc(labels?: LabelValues<T> | number, amount?: number): void {
    if (typeof labels === 'number' || labels === undefined) this.series({}).inc(labels ?? 1);
    else this.series(labels).inc(amount ?? 1);
  }

  override reset(): void {
    for (const series of this.byKey.values()) {
      series.value = 0;
      series.touched = this.labelNames.length === 0;
    }
  }

  override get(): Promise<SeriesMetricObject> {
    const values: SeriesSample[] = [];
    for (const series of this.byKey.values())
      if (series.touched)
        values.push({ value: series.value, labels: { ...SeriesMetric.sampleLabels(series.labels) } });
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  protected override createSeries(labels: LabelValues<T>): CounterSeries<T> {
    return new CounterSeries(labels);
  }
}
