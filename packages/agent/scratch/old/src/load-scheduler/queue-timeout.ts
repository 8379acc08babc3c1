export interface QueueTimeoutInputs {
  readonly nowMs: number;
  /** Absolute gRPC deadline on the same clock as nowMs; undefined when the caller sent none. */
  readonly deadlineMs: number | undefined;
  /** Answer this long before the deadline (decisionDeadlineMargin). */
  readonly marginMs: number;
  /** Recent event-loop lag: a timer may fire this late, so the queue gives up this much earlier. */
  readonly lagMs: number;
  /** The workload's own queueTimeout, if any. */
  readonly workloadTimeoutMs: number | undefined;
  /** Upper bound on any wait (maxQueueTimeout). */
  readonly maxQueueTimeoutMs: number;
}

/**
 * How long a flow may queue: deadline − now − margin − lag, capped by the workload's timeout and
 * by maxQueueTimeout, floored at 0. Without a deadline the workload timeout (or the cap) applies.
 */
export function queueTimeoutMs(inputs: QueueTimeoutInputs): number {
  let timeout = inputs.maxQueueTimeoutMs;
  if (inputs.workloadTimeoutMs !== undefined) timeout = Math.min(timeout, inputs.workloadTimeoutMs);
  if (inputs.deadlineMs !== undefined) {
    timeout = Math.min(
      timeout,
      inputs.deadlineMs - inputs.nowMs - inputs.marginMs - Math.max(0, inputs.lagMs),
    );
  }
  return Math.max(0, timeout);
}
