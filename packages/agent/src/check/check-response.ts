import type { PipelineResult } from '../pipeline/flow-pipeline.js';
import { DECISION_METADATA_KEY, encodeDecisionRecord, type DecisionRecord } from './decision-record.js';

/** google.rpc.Code values used in CheckResponse.status. */
export const RPC_OK = 0;
/** Aperture answers denials with UNAVAILABLE; Envoy only checks for non-OK and uses denied_response. */
export const RPC_UNAVAILABLE = 14;

/** envoy.config.core.v3.HeaderValueOption.HeaderAppendAction */
const OVERWRITE_IF_EXISTS_OR_ADD = 'OVERWRITE_IF_EXISTS_OR_ADD';

interface HeaderValueOption {
  header: { key: string; value: string };
  append_action: string;
}

/**
 * A google.protobuf.Struct in proto-loader's object form. protobufjs defines the well-known types
 * itself, with camelCase field names (`stringValue`), whatever keepCase says for our protos.
 */
export interface StructMessage {
  fields: Record<string, { stringValue: string }>;
}

/** The envoy.service.auth.v3.CheckResponse object handed to grpc-js. */
export interface CheckResponseMessage {
  status: { code: number; message: string };
  ok_response?: { headers: HeaderValueOption[] };
  denied_response?: { status: { code: number }; headers: HeaderValueOption[]; body: string };
  dynamic_metadata: StructMessage;
}

function header(key: string, value: string): HeaderValueOption {
  return { header: { key, value }, append_action: OVERWRITE_IF_EXISTS_OR_ADD };
}

/** Dynamic metadata: the encoded record plus readable fields for access-log format strings. */
export function decisionMetadata(record: DecisionRecord): StructMessage {
  const rejectedBy = record.components.find(
    (component) => component.decision === 'rejected' && !component.dryRun,
  );
  return {
    fields: {
      [DECISION_METADATA_KEY]: { stringValue: encodeDecisionRecord(record) },
      'sluice.decision': { stringValue: record.decision },
      'sluice.control_point': { stringValue: record.controlPoint },
      ...(rejectedBy === undefined
        ? {}
        : { 'sluice.rejected_by': { stringValue: `${rejectedBy.policyName}/${rejectedBy.componentId}` } }),
    },
  };
}

export interface CheckResponseInputs {
  readonly result: PipelineResult;
  readonly record: DecisionRecord;
  /** Full upstream baggage value when a classifier propagates labels. */
  readonly baggage: string | undefined;
}

/**
 * Accept: OK with header mutations. Reject: a denied response with the component's status and,
 * for rate limits, `retry-after`. Both carry the decision metadata.
 */
export function buildCheckResponse(inputs: CheckResponseInputs): CheckResponseMessage {
  const dynamic_metadata = decisionMetadata(inputs.record);
  if (inputs.result.kind === 'admit') {
    return {
      status: { code: RPC_OK, message: '' },
      ok_response: { headers: inputs.baggage === undefined ? [] : [header('baggage', inputs.baggage)] },
      dynamic_metadata,
    };
  }
  const headers =
    inputs.result.retryAfterSeconds === undefined
      ? []
      : [header('retry-after', String(inputs.result.retryAfterSeconds))];
  return {
    status: {
      code: RPC_UNAVAILABLE,
      message: `rejected by ${inputs.result.rejectedBy.identity.policyName}/${inputs.result.rejectedBy.identity.componentId}`,
    },
    denied_response: { status: { code: inputs.result.statusCode }, headers, body: '' },
    dynamic_metadata,
  };
}
