/**
 * What one tick teaches the baselines. They learn only what is normal: the latency baseline from
 * ticks whose own OK latency is within the setpoint (during warm-up, when there is no setpoint yet,
 * from every tick), the error-ratio baseline from ticks whose own failures do not meet the error
 * condition, so an overload or a throttle never teaches them that slow or failing is normal. The
 * loop asks only while it passes through or warms up. Pure.
 */
import {
  DEFAULT_CHANCE_PARAMETERS,
  errorRatioCondition,
  type ChanceParameters,
} from './error-ratio-condition.js';
import type { TickSample } from './tick-sample.js';

export interface BaselineLessonInput {
  /** This tick's reports alone. */
  readonly latest: TickSample;
  /** undefined while the latency baseline warms up. */
  readonly setpointMs: number | undefined;
  /** undefined while the error-ratio baseline warms up. */
  readonly baselineErrorRatio: number | undefined;
  readonly errorRatioTolerance: number;
}

export interface BaselineLesson {
  /** What the latency baseline learns (LatencyBaseline.learn); undefined: nothing. */
  readonly latency: { readonly okCount: number; readonly okLatencySumMs: number } | undefined;
  /** What the error-ratio baseline learns (ErrorRatioBaseline.learn); undefined: nothing. */
  readonly errors: { readonly flowCount: number; readonly failedCount: number } | undefined;
}

/**
 * The error-ratio lesson is left out when the tick's own failures meet the window's test (the window
 * can lag the first overloaded tick): with the same test of chance, a healthy tick is left out with a
 * chance under one in a million, so the learnt ratio is not biased.
 */
export function baselineLesson(
  input: BaselineLessonInput,
  chance: ChanceParameters = DEFAULT_CHANCE_PARAMETERS,
): BaselineLesson {
  const { latest, setpointMs } = input;
  const withinSetpoint =
    setpointMs === undefined || (latest.okCount > 0 && latest.okLatencySumMs / latest.okCount <= setpointMs);
  const flowCount = latest.completedCount + latest.stalledCount;
  const own = errorRatioCondition(
    {
      failedCount: latest.failedCount,
      flowCount,
      baselineRatio: input.baselineErrorRatio,
      tolerance: input.errorRatioTolerance,
    },
    chance,
  );
  return {
    latency: withinSetpoint ? { okCount: latest.okCount, okLatencySumMs: latest.okLatencySumMs } : undefined,
    errors: own.overloaded ? undefined : { flowCount, failedCount: latest.failedCount },
  };
}
