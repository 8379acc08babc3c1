/**
 * What one tick's reports say, before anything is decided: the latency signal (stalls included when
 * beyond chance), the error-ratio condition, the observed load multiplier, the incoming rate, whether
 * there is any evidence at all, and, once the baseline is known, the overload condition (latency,
 * stalls, errors). Pure: it reads the signal window and the latest tick, and changes nothing.
 */
import {
  aboveTolerance,
  DEFAULT_CHANCE_PARAMETERS,
  errorRatioCondition,
  type ChanceParameters,
  type ErrorRatioCondition,
} from './error-ratio-condition.js';
import { latencySignalMs } from './failure-signal.js';
import {
  DEFAULT_OVERLOAD_PARAMETERS,
  overloadCondition,
  type OverloadCondition,
  type OverloadParameters,
} from './overload-condition.js';
import type { TickSample } from './tick-sample.js';

export interface TickReadingInput {
  /** The signal window's totals, this tick included. */
  readonly window: TickSample;
  /** Ticks the window holds (up to its length). */
  readonly windowSize: number;
  /** This tick's reports alone. */
  readonly latest: TickSample;
  /** The latency baseline; undefined while it warms up. */
  readonly baselineMs: number | undefined;
  /** The error-ratio baseline; undefined while it warms up. */
  readonly baselineErrorRatio: number | undefined;
  readonly latencyToleranceMultiplier: number;
  readonly errorRatioTolerance: number;
}

export interface TickReadingParameters {
  readonly chance: ChanceParameters;
  readonly overload: OverloadParameters;
}

export const DEFAULT_TICK_READING_PARAMETERS: TickReadingParameters = {
  chance: DEFAULT_CHANCE_PARAMETERS,
  overload: DEFAULT_OVERLOAD_PARAMETERS,
};

export interface TickReading {
  /** Mean OK latency over the window, stalled flows included when beyond chance; undefined without either. */
  readonly signalMs: number | undefined;
  readonly errors: ErrorRatioCondition;
  /** accepted ÷ (accepted + rejected) tokens over the window; undefined without tokens. */
  readonly observedLoadMultiplier: number | undefined;
  /** Mean incoming tokens per tick over the window. */
  readonly incomingPerTick: number;
  /**
   * Whether the window holds a report and OK, stalled or failed flows (a window of failures only is
   * evidence: a service that answers only 5xx has no OK latency). Without evidence nothing is throttled.
   */
  readonly evidence: boolean;
  /** baseline × latencyToleranceMultiplier; undefined while the baseline warms up. */
  readonly setpointMs: number | undefined;
  /** The overload condition; undefined while the baseline warms up. */
  readonly overload: OverloadCondition | undefined;
}

export function readTick(
  input: TickReadingInput,
  parameters: TickReadingParameters = DEFAULT_TICK_READING_PARAMETERS,
): TickReading {
  const { window, latest, baselineMs, baselineErrorRatio } = input;
  const setpointMs = baselineMs === undefined ? undefined : baselineMs * input.latencyToleranceMultiplier;
  const signalMs = latencySignalMs(
    {
      ...window,
      flowCount: window.completedCount + window.stalledCount,
      setpointMs,
      baselineFailureRatio: baselineErrorRatio,
    },
    parameters.chance,
  );
  const errors = errorRatioCondition(
    {
      failedCount: window.failedCount,
      flowCount: window.completedCount + window.stalledCount,
      baselineRatio: baselineErrorRatio,
      tolerance: input.errorRatioTolerance,
    },
    parameters.chance,
  );
  const tokens = window.acceptedTokens + window.rejectedTokens;
  const evidence =
    (signalMs === undefined ? errors.ratio !== undefined : Number.isFinite(signalMs)) &&
    window.reportCount > 0;
  const overload =
    setpointMs === undefined
      ? undefined
      : overloadCondition(
          {
            okMeanMs: window.okCount > 0 ? window.okLatencySumMs / window.okCount : undefined,
            signalMs,
            setpointMs,
            errors,
            latestTickFailing: aboveTolerance({
              failedCount: latest.failedCount,
              flowCount: latest.completedCount + latest.stalledCount,
              baselineRatio: baselineErrorRatio,
              tolerance: input.errorRatioTolerance,
            }),
          },
          parameters.overload,
        );
  return {
    signalMs,
    errors,
    observedLoadMultiplier: tokens > 0 ? window.acceptedTokens / tokens : undefined,
    incomingPerTick: window.incomingTokens / Math.max(1, input.windowSize),
    evidence,
    setpointMs,
    overload,
  };
}
