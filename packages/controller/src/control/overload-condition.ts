/**
 * Whether a tick is overloaded, why, and how hard to cut: the latency condition (signal > setpoint,
 * the signal holding stalled flows when they are beyond chance) and the error-ratio condition,
 * combined. Pure.
 */
import type { ErrorRatioCondition } from './error-ratio-condition.js';

/**
 * What made a tick overloaded: `latency` (the OK flows' mean alone is above the setpoint), `stalls`
 * (the signal is above it only with the stalled flows counted), `errors` (the error-ratio condition).
 */
export type OverloadCause = 'latency' | 'stalls' | 'errors';

export interface OverloadInput {
  /** Mean latency of the window's OK flows; undefined without any. */
  readonly okMeanMs: number | undefined;
  /** The latency signal (OK mean with stalls, see latencySignalMs); undefined without such flows. */
  readonly signalMs: number | undefined;
  readonly setpointMs: number;
  readonly errors: ErrorRatioCondition;
  /** Whether the latest tick's own failures exceed the baseline failure ratio by the tolerance. */
  readonly latestTickFailing: boolean;
}

export interface OverloadCondition {
  readonly overloaded: boolean;
  /** In the order latency, stalls, errors; empty when not overloaded. */
  readonly causes: readonly OverloadCause[];
  /**
   * What the multiplicative cut and the improvement check measure, in the latency signal's units:
   * the larger of the signal and setpoint ÷ the error gradient (when errors overload), so the cut
   * gradient setpoint ÷ this is the deeper of the two conditions' gradients. Undefined when there is
   * no latency signal and errors do not overload.
   */
  readonly cutSignalMs: number | undefined;
  /**
   * Whether this tick may cut (the once-per-window rule aside). A failure is reported when it ends,
   * which for a stall is the route timeout after admission, so a window can still hold failures of
   * flows admitted before the last cut; cutting again on them would compound one overload (a cut to
   * 0.2 followed by one to 0.02 in the closed-loop test). So an overload of failures alone cuts only
   * while the latest tick still fails above the tolerance too (no test of chance there: the window's
   * test has judged the evidence, and one tick holds too few flows to be judged alone). Latency from
   * OK flows cuts as before.
   */
  readonly cutAllowed: boolean;
}

export interface OverloadParameters {
  /**
   * The least error gradient the cut signal is computed from, so a window where every flow failed
   * (gradient 0) still gives a finite cut signal: setpoint ÷ this. @default 0.001 (1000 × the setpoint)
   */
  readonly leastErrorGradient: number;
}

export const DEFAULT_OVERLOAD_PARAMETERS: OverloadParameters = { leastErrorGradient: 1e-3 };

export function overloadCondition(
  input: OverloadInput,
  parameters: OverloadParameters = DEFAULT_OVERLOAD_PARAMETERS,
): OverloadCondition {
  const { setpointMs, signalMs } = input;
  const causes: OverloadCause[] = [];
  if (input.okMeanMs !== undefined && input.okMeanMs > setpointMs) causes.push('latency');
  else if (signalMs !== undefined && signalMs > setpointMs) causes.push('stalls');
  if (input.errors.overloaded) causes.push('errors');
  const errorSignalMs = input.errors.overloaded
    ? setpointMs / Math.max(parameters.leastErrorGradient, input.errors.gradient)
    : undefined;
  const cutSignalMs =
    signalMs === undefined
      ? errorSignalMs
      : errorSignalMs === undefined
        ? signalMs
        : Math.max(signalMs, errorSignalMs);
  return {
    overloaded: causes.length > 0,
    causes,
    cutSignalMs,
    cutAllowed: causes.includes('latency') || input.latestTickFailing,
  };
}
