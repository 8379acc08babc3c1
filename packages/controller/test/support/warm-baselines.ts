import { ErrorRatioBaseline } from '../../src/control/error-ratio-baseline.js';
import { LatencyBaseline, type BaselineState } from '../../src/control/latency-baseline.js';

/**
 * A persisted baseline as a loop restores it, warm (60 ticks learnt of a 1800-tick window): latency
 * 50 ms, so the setpoint is 55 at the default tolerance 1.1, and, with `failedPerHundred`, an
 * error-ratio baseline of that many failures per 100 flows (without it the error baseline is not
 * warm, as in a state saved before it existed).
 */
export function warmBaselines(options: { readonly failedPerHundred?: number } = {}): BaselineState {
  const latency = new LatencyBaseline({ windowTicks: 1800, warmUpTicks: 60 });
  const errors = new ErrorRatioBaseline({ windowTicks: 1800, warmUpTicks: 60 });
  for (let tick = 0; tick < 60; tick++) {
    latency.learn(100, 5000);
    if (options.failedPerHundred !== undefined) errors.learn(100, options.failedPerHundred);
  }
  return options.failedPerHundred === undefined
    ? latency.snapshot()
    : { ...latency.snapshot(), errors: errors.snapshot() };
}
