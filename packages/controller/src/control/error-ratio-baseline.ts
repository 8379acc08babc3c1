import { LatencyBaseline } from './latency-baseline.js';
import type { ErrorRatioBaselineState } from './error-ratio-baseline-state.js';

export interface ErrorRatioBaselineOptions {
  /** Baseline window in ticks, as the latency baseline's. */
  readonly windowTicks: number;
  /** Learned ticks needed before the ratio exists. */
  readonly warmUpTicks: number;
  readonly restored?: ErrorRatioBaselineState;
}

/**
 * The long-term share of admitted flows that fail on the server's side, learnt exactly as the latency
 * baseline is (same window, warm-up and bucketing; it is a {@link LatencyBaseline} of failures per
 * flow), so a service's normal error ratio, say 5%, is never taken for overload.
 */
export class ErrorRatioBaseline {
  readonly #mean: LatencyBaseline;

  constructor(options: ErrorRatioBaselineOptions) {
    const restored = options.restored;
    this.#mean = new LatencyBaseline({
      windowTicks: options.windowTicks,
      warmUpTicks: options.warmUpTicks,
      ...(restored === undefined
        ? {}
        : {
            restored: {
              version: 1,
              learnedTicks: restored.learnedTicks,
              buckets: restored.buckets.map((bucket) => ({
                ticks: bucket.ticks,
                count: bucket.flows,
                sumMs: Math.min(bucket.failed, bucket.flows),
              })),
            },
          }),
    });
  }

  /** Adds one tick's flows. Ticks without flows teach nothing. */
  learn(flowCount: number, failedCount: number): void {
    if (!(flowCount > 0) || !Number.isFinite(failedCount) || failedCount < 0) return;
    this.#mean.learn(flowCount, Math.min(failedCount, flowCount));
  }

  get ready(): boolean {
    return this.#mean.ready;
  }

  /** failed ÷ flows over the window, in [0, 1]; undefined during warm-up. */
  ratio(): number | undefined {
    return this.#mean.valueMs();
  }

  snapshot(): ErrorRatioBaselineState {
    const state = this.#mean.snapshot();
    return {
      learnedTicks: state.learnedTicks,
      buckets: state.buckets.map((bucket) => ({
        ticks: bucket.ticks,
        flows: bucket.count,
        failed: bucket.sumMs,
      })),
    };
  }
}
