import type { Aggregator, LabelValues, Metric, Registry } from 'prom-client';

/** What a series metric is built with; the same fields as prom-client's metric configuration. */
export interface SeriesMetricConfiguration<T extends string> {
  /** Prometheus metric name. */
  readonly name: string;
  readonly help: string;
  /** Every label a series may carry. @default none */
  readonly labelNames?: readonly T[];
  /** Registries that export the metric. */
  readonly registers: readonly Registry[];
}

/** One exported sample, as prom-client's `get()` returns it. */
export interface SeriesSample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
  /** Only in `getForPromString()`: the series labels, kept apart from a histogram's `le`. */
  sharedLabels?: Record<string, string | number>;
  /** prom-client writes null on bucket samples and undefined on _sum and _count. */
  exemplar?: null | undefined;
}

/** What `get()` returns: prom-client's metric object. */
export interface SeriesMetricObject {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: Aggregator;
  values: SeriesSample[];
}

// The patterns prom-client checks names against (Prometheus' data model).
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * A metric whose label values are resolved to a series object once: `series(labels)` does the
 * hashing and validation that prom-client repeats on every `inc` and `observe`, so a caller on the
 * Check path keeps the series and updates it with plain arithmetic. It registers in prom-client's
 * Registry (which reads metrics through `get()`, and `getForPromString()` when present), so
 * /metrics, `getSingleMetric` and `getMetricsAsJSON` see it as they see prom-client's own metrics,
 * in the same text. Series are listed in the order they were first touched, as prom-client lists
 * them.
 */
export abstract class SeriesMetric<T extends string, S extends { readonly labels: LabelValues<T> }> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly T[];
  /** How prom-client's cluster aggregation combines workers; a sum, as for its counters and histograms. */
  readonly aggregator: Aggregator = 'sum';
  abstract readonly type: 'counter' | 'histogram';
  protected readonly byKey = new Map<string, S>();
  private readonly declared: ReadonlySet<string>;

  /** @throws Error for a name or label name Prometheus does not allow, as prom-client does. */
  constructor(config: SeriesMetricConfiguration<T>) {
    if (!METRIC_NAME.test(config.name)) throw new Error(`Invalid metric name: ${config.name}`);
    const labelNames = config.labelNames ?? [];
    for (const label of labelNames)
      if (!LABEL_NAME.test(label)) throw new Error(`Invalid label name: ${label}`);
    this.name = config.name;
    this.help = config.help;
    this.labelNames = labelNames;
    this.declared = new Set(labelNames);
    // The Registry is typed for prom-client's four classes but reads metrics only through the
    // members this class has (name, help, type, aggregator, get, getForPromString, reset).
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /**
   * The series for `labels`, created on first use. Keep the result: this call validates and hashes.
   * A series appears in the output once it is first updated, as a prom-client series does.
   *
   * @throws Error naming the label when `labels` has one the metric was not declared with.
   */
  series(labels: LabelValues<T>): S {
    for (const label in labels)
      if (!this.declared.has(label))
        throw new Error(
          `Added label "${label}" is not included in initial labelset: ${JSON.stringify(this.labelNames)}`,
        );
    const key = this.keyOf(labels);
    let series = this.byKey.get(key);
    if (series === undefined) {
      series = this.createSeries({ ...labels });
      this.byKey.set(key, series);
    }
    return series;
  }

  /** Zeroes every series and hides it until it is updated again; series held by callers stay valid. */
  abstract reset(): void;

  /** prom-client's `get()`: the metric with one value per exported sample. */
  abstract get(): Promise<SeriesMetricObject>;

  /** The labels of a series as samples carry them (series never hold undefined values they export). */
  protected static sampleLabels<T extends string>(labels: LabelValues<T>): Record<string, string | number> {
    return labels as Record<string, string | number>;
  }

  protected abstract createSeries(labels: LabelValues<T>): S;

  /**
   * Label values in declaration order, each as its length, `:` and the text (so no two label sets
   * share a key, whatever characters they hold), or `-` when undefined (absent, as in prom-client).
   */
  private keyOf(labels: LabelValues<T>): string {
    let key = '';
    for (const name of this.labelNames) {
      const value = labels[name];
      if (value === undefined) key += '-';
      else {
        const text = String(value);
        key += `${text.length}:${text}`;
      }
    }
    return key;
  }
}
