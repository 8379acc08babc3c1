import { FLUX_METER_LABELS, type AverageLatencyLoopConfig, type syncV1 } from '@sluice/spec';
import { isServerFailure, STALLED_LABEL } from './failure-signal.js';
import type { TickSample } from './tick-sample.js';

/** Who a loop listens to: its signal flux meter and its own token counters. */
export type LoopIdentity = Pick<AverageLatencyLoopConfig, 'policyName' | 'componentId' | 'fluxMeterName'>;

function finite(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * The part of one agent report that concerns one loop, or undefined when the report says nothing
 * about it. Latency counts only admitted flows with flow_status OK (a series without a decision_type
 * label is taken as admitted: only admitted flows reach the upstream and have a latency); completions
 * count admitted flows of any status except stalled ones (series labelled `stalled: "true"`), which
 * are counted apart with their durations; failures count admitted flows that failed on the server's
 * side (isServerFailure). Token counters are matched by policy name and component id;
 * their policy hash is not checked, because during a policy update an agent still counting under the
 * previous compile measures the same traffic.
 */
export function sampleForLoop(report: syncV1.Report, loop: LoopIdentity): TickSample | undefined {
  let okCount = 0;
  let okLatencySumMs = 0;
  let completedCount = 0;
  let stalledCount = 0;
  let stalledLatencySumMs = 0;
  let failedCount = 0;
  let seen = false;
  for (const meter of report.flux_meters ?? []) {
    if (meter.flux_meter_name !== loop.fluxMeterName) continue;
    seen = true;
    for (const series of meter.series ?? []) {
      const labels = series.labels ?? {};
      const decision = labels[FLUX_METER_LABELS.decisionType];
      if (decision !== undefined && decision !== 'accepted') continue;
      const count = finite(series.count);
      if (isServerFailure(labels)) failedCount += count;
      if (labels[STALLED_LABEL] === 'true') {
        stalledCount += count;
        stalledLatencySumMs += finite(series.latency_sum_ms);
        continue;
      }
      completedCount += count;
      if (labels[FLUX_METER_LABELS.flowStatus] === 'OK') {
        okCount += count;
        okLatencySumMs += finite(series.latency_sum_ms);
      }
    }
  }
  let incomingTokens = 0;
  let acceptedTokens = 0;
  let rejectedTokens = 0;
  for (const counter of report.token_counters ?? []) {
    if (counter.policy_name !== loop.policyName || counter.component_id !== loop.componentId) continue;
    seen = true;
    for (const workload of counter.workloads ?? []) {
      incomingTokens += finite(workload.incoming_tokens);
      acceptedTokens += finite(workload.accepted_tokens);
      rejectedTokens += finite(workload.rejected_tokens);
    }
  }
  if (!seen) return undefined;
  return {
    okCount,
    okLatencySumMs,
    completedCount,
    stalledCount,
    stalledLatencySumMs,
    failedCount,
    incomingTokens,
    acceptedTokens,
    rejectedTokens,
    reportCount: 1,
  };
}
