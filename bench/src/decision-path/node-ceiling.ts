/**
 * The per-node ceiling the design promises to publish: one agent is one Node thread, so what one core
 * does is what a node's agent does. A mesh hop (client sidecar → server sidecar) costs two Checks
 * (outbound and inbound control points) and two access-log records. Pure.
 */

export interface NodeCeiling {
  /** Checks per second one agent core sustains: 1 / CPU seconds per Check. */
  readonly checksPerCoreSecond: number;
  /** Access-log records per second one core sustains, when measured. */
  readonly recordsPerCoreSecond: number;
  /** Mesh hops per second per agent core: 1 / (2 × Check CPU + 2 × record CPU). */
  readonly hopsPerCoreSecond: number;
  /** Hops per second when log records are not counted (the access-log figure was not measured). */
  readonly hopsPerCoreSecondChecksOnly: number;
}

/** @param checkCpuSeconds CPU seconds per Check; @param recordCpuSeconds per log record (NaN when not measured). */
export function nodeCeiling(checkCpuSeconds: number, recordCpuSeconds: number): NodeCeiling {
  const perHop = 2 * checkCpuSeconds + 2 * recordCpuSeconds;
  return {
    checksPerCoreSecond: checkCpuSeconds > 0 ? 1 / checkCpuSeconds : Number.NaN,
    recordsPerCoreSecond: recordCpuSeconds > 0 ? 1 / recordCpuSeconds : Number.NaN,
    hopsPerCoreSecond: perHop > 0 ? 1 / perHop : Number.NaN,
    hopsPerCoreSecondChecksOnly: checkCpuSeconds > 0 ? 1 / (2 * checkCpuSeconds) : Number.NaN,
  };
}
