/** What the live demo records each second, for the terminal view and the chart. */
export interface WorkloadSecondView {
  readonly offered: number;
  readonly admitted: number;
  readonly rejected: number;
}

export interface RunSecond {
  /** Whole seconds since the load started. */
  readonly second: number;
  readonly stage: string;
  readonly workloads: Readonly<Record<string, WorkloadSecondView>>;
  /** Upstream-side latency of requests finished in this second, ms (NaN when none). */
  readonly upstreamP50Ms: number;
  readonly upstreamP90Ms: number;
  /** The controller's setpoint, ms, once the baseline exists. */
  readonly setpointMs: number | undefined;
  /** The controller's load multiplier; undefined in pass-through. */
  readonly loadMultiplier: number | undefined;
  readonly loopState: string;
}
