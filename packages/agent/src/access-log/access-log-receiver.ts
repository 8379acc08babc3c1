import type { ComponentRegistry } from '../components/component-registry.js';
import type { ControlPointRegistry } from '../control-points/control-point-registry.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';
import type { AccessLogBudget } from './access-log-budget.js';
import {
  attributeMap,
  parseAccessLogAttributes,
  type AnyValueMessage,
  type LoggedFlow,
} from './access-log-record.js';

/** opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest, as proto-loader hands it over. */
export interface ExportLogsRequestMessage {
  resource_logs?: Array<{
    scope_logs?: Array<{
      log_records?: Array<{ attributes?: Array<{ key?: string; value?: AnyValueMessage | null }> }>;
    }>;
  }>;
}

export interface AccessLogTally {
  flows: number;
  noDecision: number;
  malformed: number;
  /** Records past the budget: not read, counted in `access_log_records_dropped_total`. */
  dropped: number;
}

export interface AccessLogReceiverOptions {
  /** Records read per second; the rest are dropped. @default unlimited */
  readonly budget?: AccessLogBudget;
}

/**
 * Turns Envoy access-log records into flux-meter observations (for reports and /metrics) and
 * control-point sightings. Malformed records are counted and dropped; one bad record never fails
 * the batch (Envoy would resend it, and the rest are good). Past the budget, records are dropped
 * unread and counted: a flux meter then sees a sample of the flows, which keeps its mean latency.
 */
export class AccessLogReceiver {
  constructor(
    private readonly registry: ComponentRegistry,
    private readonly controlPoints: ControlPointRegistry,
    private readonly metrics: AgentMetrics,
    private readonly options: AccessLogReceiverOptions = {},
  ) {}

  receive(request: ExportLogsRequestMessage): AccessLogTally {
    const tally: AccessLogTally = { flows: 0, noDecision: 0, malformed: 0, dropped: 0 };
    for (const resource of request.resource_logs ?? []) {
      for (const scope of resource.scope_logs ?? []) {
        const records = scope.log_records ?? [];
        const admitted = this.options.budget?.admit(records.length) ?? records.length;
        tally.dropped += records.length - admitted;
        for (const logRecord of records.slice(0, admitted)) {
          const outcome = parseAccessLogAttributes(attributeMap(logRecord.attributes));
          switch (outcome.kind) {
            case 'flow':
              tally.flows++;
              this.metrics.accessLogRecords.inc({ outcome: 'flow' });
              this.observe(outcome.flow);
              break;
            case 'no-decision':
              tally.noDecision++;
              this.metrics.accessLogRecords.inc({ outcome: 'no-decision' });
              break;
            case 'malformed':
              tally.malformed++;
              this.metrics.accessLogRecords.inc({ outcome: 'malformed' });
              this.metrics.accessLogRecordsRejected.inc({ reason: outcome.reason });
              break;
          }
        }
      }
    }
    if (tally.dropped > 0) this.metrics.accessLogRecordsDropped.inc(tally.dropped);
    return tally;
  }

  private observe(flow: LoggedFlow): void {
    const record = flow.record;
    for (const service of record.services.length > 0 ? record.services : ['']) {
      this.controlPoints.record({ controlPoint: record.controlPoint, service, type: 'http' });
    }
    const statusCode = flow.statusCode === undefined ? '' : String(flow.statusCode);
    for (const meter of record.fluxMeters) {
      const histogram = this.registry.fluxMeter(meter.policyName, meter.name);
      const base = { flux_meter_name: meter.name, policy_name: meter.policyName };
      if (histogram === undefined) {
        this.metrics.fluxMeterInvalid.inc({ ...base, reason: 'meter-removed' });
        continue;
      }
      if (flow.latencyMs === undefined) {
        this.metrics.fluxMeterInvalid.inc({
          ...base,
          reason: flow.authzDurationMs === undefined ? 'no-authz-duration' : 'negative-latency',
        });
        continue;
      }
      const stalled = flow.stalled ? 'true' : 'false';
      histogram.observe(
        { decision_type: record.decision, status_code: statusCode, flow_status: flow.flowStatus, stalled },
        flow.latencyMs,
      );
      this.metrics.fluxMeter.observe(
        {
          ...base,
          decision_type: record.decision,
          http_status_code: statusCode,
          flow_status: flow.flowStatus,
          stalled,
        },
        flow.latencyMs,
      );
    }
  }
}
