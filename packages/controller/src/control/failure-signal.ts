/**
 * The failure side of the signal (issue 15): flows that fail under overload must still push the loop
 * towards a throttle. Pure functions; the loop decides when they apply.
 *
 * The latency signal stays the mean over OK flows, as Aperture's own queries compute it, so a
 * converted policy means the same. Two kinds of failure are added to it:
 * - stalled flows (admitted, no upstream response: Envoy's route timeout, a reset, the client gone;
 *   the agent reports them in series labelled `stalled: "true"`) count in the signal at their full
 *   duration, never below the setpoint and never below the OK mean, so they can only raise it, once
 *   there are more of them than chance allows at the service's baseline failure ratio (a service
 *   that times out now and then, say 0.1% of flows at a 15 s route timeout, would otherwise look
 *   overloaded in every window that holds one of them);
 * - server errors (status 5xx, or no status) are compared as a ratio against their own baseline by
 *   {@link errorRatioCondition}; they never enter the latency mean, so a fast 503 cannot lower it.
 */
import { FLUX_METER_LABELS } from '@sluice/spec';
import { beyondChance, DEFAULT_CHANCE_PARAMETERS, type ChanceParameters } from './error-ratio-condition.js';

/** The label the agent puts on flux-meter series of stalled flows (`"true"` or `"false"`). */
export const STALLED_LABEL = FLUX_METER_LABELS.stalled;

/**
 * Whether a flux-meter series holds flows that failed on the server's side: a status of 5xx, or no
 * status at all (the agent leaves `status_code` empty when no response was sent), or a stall. Client
 * errors (4xx) are the client's doing; counting them would let any client that sends bad requests
 * throttle everybody else.
 */
export function isServerFailure(labels: Readonly<Record<string, string>>): boolean {
  if (labels[STALLED_LABEL] === 'true') return true;
  if (labels[FLUX_METER_LABELS.flowStatus] !== 'Error') return false;
  const status = labels[FLUX_METER_LABELS.statusCode] ?? '';
  return status === '' || status === '0' || /^5[0-9][0-9]$/.test(status);
}

export interface LatencySignalInput {
  /** Admitted flows that completed OK in the signal window, and the sum of their latencies (ms). */
  readonly okCount: number;
  readonly okLatencySumMs: number;
  /** Stalled flows in the window, and the sum of their durations (ms). */
  readonly stalledCount: number;
  readonly stalledLatencySumMs: number;
  /** Admitted flows that ended in the window (completed and stalled). */
  readonly flowCount: number;
  /** Undefined while the baseline warms up. */
  readonly setpointMs: number | undefined;
  /** The learnt share of flows that fail on the server's side; undefined during its warm-up. */
  readonly baselineFailureRatio: number | undefined;
}

/**
 * The loop's latency signal, ms: the mean over OK flows and stalled flows, each stalled flow counted at
 * max(the stalled flows' mean duration, the setpoint, the OK mean), when the stalls are beyond chance
 * at the baseline failure ratio (beyondChance; against its floor while the ratio warms up); else the
 * OK mean. Undefined when the window holds neither. Because no stalled flow counts below the OK mean,
 * the signal is never below the OK mean; because none counts below the setpoint, stalls alone are
 * never read as "latency is fine". The stalled flows' mean stands for each one's duration: the agent
 * reports sums, not flows, and stalls under overload all last about the route timeout.
 */
export function latencySignalMs(
  input: LatencySignalInput,
  chance: ChanceParameters = DEFAULT_CHANCE_PARAMETERS,
): number | undefined {
  const okCount = positive(input.okCount);
  const okMean = okCount > 0 ? positive(input.okLatencySumMs) / okCount : undefined;
  const stalledCount = beyondChance(
    {
      count: positive(input.stalledCount),
      flowCount: Math.max(positive(input.flowCount), positive(input.stalledCount)),
      baselineRatio: input.baselineFailureRatio,
    },
    chance,
  )
    ? positive(input.stalledCount)
    : 0;
  if (stalledCount === 0) return okMean;
  const stalledMean = positive(input.stalledLatencySumMs) / stalledCount;
  const stalledAt = Math.max(stalledMean, input.setpointMs ?? 0, okMean ?? 0);
  return ((okMean ?? 0) * okCount + stalledAt * stalledCount) / (okCount + stalledCount);
}

function positive(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
