import type { ComponentRegistry } from '../components/component-registry.js';
import type { ControlPointRegistry } from '../control-points/control-point-registry.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';
import {
  attributeMap,
  parseAccessLogAttributes,
  type AnyValueMessage,
  type DecisionRecordReader,
  type LoggedFlow,
} from './access-log-record.js';
import type { RecordVerifier } from './record-verifier.js';

/** The label value every policy or flux-meter name that is not currently compiled is folded into. */
export const UNKNOWN_NAME_LABEL = 'other';

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
  /** Records whose decision record did not verify: counted by reason, never metered. */
  refused: number;
  /** Records past the budget: not read, counted in `access_log_records_dropped_total`. */
  dropped: number;
}

/** How many of a sender's records may be read now (PeerLogBudget). */
export interface LogRecordBudget {
  admit(records: number, peerIp: string): number;
}

export interface AccessLogReceiverOptions {
  /** Records read per second; the rest are dropped. @default unlimited */
  readonly budget?: LogRecordBudget;
  /**
   * Verifies decision records (signature for the sending peer, age, nonce, durations). The agent
   * always sets it. @default none: records are read unverified (tests of the metering only)
   */
  readonly verifier?: RecordVerifier;
}

/**
 * Turns Envoy access-log records into flux-meter observations (for reports and /metrics) and
 * control-point sightings. Malformed records are counted and dropped; one bad record never fails
 * the batch (Envoy would resend it, and the rest are good). Records whose decision record the
 * verifier does not believe are counted by reason and never reach a meter. Past the budget, records
 * are dropped unread and counted: a flux meter then sees a sample of the flows, which keeps its mean
 * latency. Only names of compiled policies and meters become label values.
 */
export class AccessLogReceiver {
  constructor(
    private readonly registry: ComponentRegistry,
    private readonly controlPoints: ControlPointRegistry,
    private readonly metrics: AgentMetrics,
    private readonly options: AccessLogReceiverOptions = {},
  ) {}

  /** Reads one Export sent by `peerIp` (the IP of the gRPC peer; see peerIpOf). */
  receive(request: ExportLogsRequestMessage, peerIp = 'unknown'): AccessLogTally {
    const tally: AccessLogTally = { flows: 0, noDecision: 0, malformed: 0, refused: 0, dropped: 0 };
    const verifier = this.options.verifier;
    const readRecord: DecisionRecordReader | undefined =
      verifier === undefined ? undefined : (encoded) => verifier.read(encoded, peerIp);
    for (const resource of request.resource_logs ?? []) {
      for (const scope of resource.scope_logs ?? []) {
        const records = scope.log_records ?? [];
        const admitted = this.options.budget?.admit(records.length, peerIp) ?? records.length;
        tally.dropped += records.length - admitted;
        for (const logRecord of records.slice(0, admitted)) {
          const outcome = parseAccessLogAttributes(attributeMap(logRecord.attributes), readRecord);
          switch (outcome.kind) {
            case 'flow': {
              const refusal = verifier?.admit(outcome.flow.record, outcome.flow);
              if (refusal !== undefined) {
                tally.refused++;
                this.metrics.accessLogRecords.inc({ outcome: 'refused' });
                this.metrics.accessLogRecordsRefused.inc({ reason: refusal.reason });
                break;
              }
              tally.flows++;
              this.metrics.accessLogRecords.inc({ outcome: 'flow' });
              this.observe(outcome.flow);
              break;
            }
            case 'refused':
              tally.refused++;
              this.metrics.accessLogRecords.inc({ outcome: 'refused' });
              this.metrics.accessLogRecordsRefused.inc({ reason: outcome.reason });
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
    if (verifier !== undefined) this.metrics.accessLogNonces.set(verifier.rememberedNonces);
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
      if (histogram === undefined) {
        // Not a compiled meter: its names never become label values (a record may name anything).
        this.metrics.fluxMeterInvalid.inc({
          flux_meter_name: UNKNOWN_NAME_LABEL,
          policy_name: this.registry.hasPolicy(meter.policyName) ? meter.policyName : UNKNOWN_NAME_LABEL,
          reason: 'meter-removed',
        });
        continue;
      }
      const base = { flux_meter_name: meter.name, policy_name: meter.policyName };
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
