import type { PipelineResult } from '../pipeline/flow-pipeline.js';
import { DECISION_METADATA_KEY } from './decision-record.js';

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

/**
 * Dynamic metadata: the encoded record plus readable fields for access-log format strings.
 * `sluice.rejected_by` names the enforced rejection Envoy acts on, when there is one.
 */
export function decisionMetadata(
  result: PipelineResult,
  controlPoint: string,
  encodedRecord: string,
): StructMessage {
  const fields: StructMessage['fields'] = {
    [DECISION_METADATA_KEY]: { stringValue: encodedRecord },
    'sluice.decision': { stringValue: result.kind === 'admit' ? 'accepted' : 'rejected' },
    'sluice.control_point': { stringValue: controlPoint },
  };
  if (result.kind === 'reject')
    fields['sluice.rejected_by'] = {
      stringValue: `${result.rejectedBy.identity.policyName}/${result.rejectedBy.identity.componentId}`,
    };
  return { fields };
}

export interface CheckResponseInputs {
  readonly result: PipelineResult;
  readonly controlPoint: string;
  /** The decision record as the metadata carries it (encodeDecisionRecord's output). */
  readonly encodedRecord: string;
  /** Full upstream baggage value when a classifier propagates labels. */
  readonly baggage: string | undefined;
}

/**
 * Accept: OK with header mutations. Reject: a denied response with the component's status and,
 * for rate limits, `retry-after`. Both carry the decision metadata.
 */
export function buildCheckResponse(inputs: CheckResponseInputs): CheckResponseMessage {
  const dynamic_metadata = decisionMetadata(inputs.result, inputs.controlPoint, inputs.encodedRecord);
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
