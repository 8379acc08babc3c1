/**
 * How much longer than the time since the Check started a logged duration may be. Envoy starts its
 * durations when the request's headers arrive; the Check starts (`startedAtMs`, the agent's wall
 * clock) after Envoy has sent it and the agent's event loop has reached it, a few ms later, more
 * while the agent lags or Envoy buffers a request body for the Check. The log arrives after the
 * response plus Envoy's log flush interval, which usually leaves far more room than this. A flow
 * refused by this check is one lost sample, counted; a larger tolerance is that much more latency a
 * pod could claim for its own flows right after their Check (see the README's residual risk).
 */
export const DURATION_TOLERANCE_MS = 250;

/** Why a record's logged durations cannot be true. */
export type DurationImplausibility = 'implausible-duration' | 'implausible-authz-duration';

/** What the record itself says about the Check (signed, so the agent's own numbers). */
export interface CheckTimes {
  /** Wall-clock start of the Check, epoch ms. */
  readonly startedAtMs: number;
  /** The agent's own time on the Check, ms. */
  readonly processingMs: number;
}

/** The durations Envoy added to the record (the access log's, unsigned), ms. */
export interface LoggedDurations {
  readonly responseDurationMs?: number | undefined;
  readonly authzDurationMs?: number | undefined;
  /** `DURATION` (the whole stream), where the flow reads it. */
  readonly durationMs?: number | undefined;
}

/**
 * Refuses durations no real flow of this Check can have. Everything in an access log but the
 * decision record is the sender's word; these bounds tie it to the signed record:
 * - `RESPONSE_DURATION` (and `DURATION`) ≤ now − the Check's start + DURATION_TOLERANCE_MS: the
 *   response cannot have taken longer than the time since the request began;
 * - ext_authz duration ≥ ⌊processingMs⌋: Envoy's ext_authz time includes the agent's own time and
 *   is truncated to whole ms, so less is a lie that would inflate latency = response − ext_authz.
 * Pure: `nowMs` is the agent's wall clock when it reads the record.
 */
export function durationImplausibility(
  check: CheckTimes,
  logged: LoggedDurations,
  nowMs: number,
  toleranceMs: number = DURATION_TOLERANCE_MS,
): DurationImplausibility | undefined {
  const longest = nowMs - check.startedAtMs + toleranceMs;
  if (logged.responseDurationMs !== undefined && logged.responseDurationMs > longest)
    return 'implausible-duration';
  if (logged.durationMs !== undefined && logged.durationMs > longest) return 'implausible-duration';
  if (logged.authzDurationMs !== undefined && logged.authzDurationMs < Math.floor(check.processingMs))
    return 'implausible-authz-duration';
  return undefined;
}
