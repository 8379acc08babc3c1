/**
 * TypeScript shapes of the `sluice.sync.v1` messages (protos/sluice/sync/v1/sync.proto)
 * exactly as @grpc/proto-loader produces them with `PROTO_LOADER_OPTIONS` (proto-loader.ts):
 *
 * - field names are the proto's snake_case names (`keepCase: true`);
 * - 64-bit integers are `number` (`longs: Number`; exact up to 2^53);
 * - enums are their value names as strings (`enums: String`); a value this
 *   version does not know arrives as its number;
 * - `defaults: false`: a field holding its proto3 zero value (0, "", false,
 *   empty list or map, unset message) is ABSENT on the receiving side, so every
 *   field is optional and readers write `msg.count ?? 0`;
 * - `oneofs: true`: the oneof `payload` is also present as a property naming
 *   the member that is set, so `switch (msg.payload)` narrows the union. A
 *   member added by a newer peer decodes to no `payload` at all: ignore it.
 *
 * The same shapes are accepted when sending (proto-loader encodes with
 * `fromObject`, which ignores the `payload` name; senders set it anyway so the
 * object type-checks as one union member).
 *
 * Hand-written: when sync.proto changes, change this file and the golden test
 * (test/protos.test.ts) with it.
 *
 * @see ../../protos/sluice/sync/v1/sync.proto for the meaning of each field.
 */

// ---------------------------------------------------------------------------
// Agent -> controller
// ---------------------------------------------------------------------------

/** First message of every stream: who the agent is. */
export interface Hello {
  /** Stable id of the agent process (pod name). */
  agent_id?: string;
  /** Node the agent runs on. */
  hostname?: string;
  /** Agent group; selects the policies the agent receives. */
  agent_group?: string;
  /** Agent version (semver). */
  version?: string;
  /** Optional features the agent supports, e.g. `preview`. */
  capabilities?: string[];
}

/** Label keys the agent uses in {@link FluxMeterSeries.labels}. */
export const FLUX_METER_LABELS = Object.freeze({
  /** `accepted` or `rejected`. */
  decisionType: 'decision_type',
  /** HTTP status code as a decimal string, e.g. `"200"`. */
  statusCode: 'status_code',
  /** `OK` or `Error`. */
  flowStatus: 'flow_status',
  /** `true` for flows that never got an upstream response (timeout, reset), else `false`. */
  stalled: 'stalled',
} as const);

/** Observations of one flux meter for one label set. */
export interface FluxMeterSeries {
  /** Label set, keyed by {@link FLUX_METER_LABELS} values. */
  labels?: Record<string, string>;
  /** Flows observed. */
  count?: number;
  /** Sum of their latencies, ms, with the agent's own queueing subtracted. */
  latency_sum_ms?: number;
  /** Flows per bucket, not cumulative; `bucket_bounds_ms.length + 1` entries (last is +Inf). */
  bucket_counts?: number[];
}

/** Latency observations of one flux meter in one interval. */
export interface FluxMeterDelta {
  /** Flux meter name from the policy. */
  flux_meter_name?: string;
  /** Bucket upper bounds, ms, strictly ascending; shared by every series. */
  bucket_bounds_ms?: number[];
  /** One series per distinct label set. */
  series?: FluxMeterSeries[];
}

/** Token counts of one workload of a load scheduler in one interval. */
export interface WorkloadTokens {
  /** Workload name from the policy (`default` for the default workload). */
  workload?: string;
  /** Tokens of all flows that arrived. */
  incoming_tokens?: number;
  /** Tokens of flows admitted. */
  accepted_tokens?: number;
  /** Tokens of flows rejected. */
  rejected_tokens?: number;
}

/** Token counters of one load-scheduler component in one interval. */
export interface TokenCounterDelta {
  /** Policy owning the component. */
  policy_name?: string;
  /** Compile the agent ran when counting. */
  policy_hash?: string;
  /** Component id within the policy. */
  component_id?: string;
  /** One entry per workload that saw a flow. */
  workloads?: WorkloadTokens[];
}

/** `sluice.sync.v1.ControlPointType` value names. */
export type ControlPointType =
  | 'CONTROL_POINT_TYPE_UNSPECIFIED'
  | 'CONTROL_POINT_TYPE_HTTP'
  | 'CONTROL_POINT_TYPE_GRPC'
  | 'CONTROL_POINT_TYPE_FEATURE';

/** A control point the agent saw traffic on. */
export interface ControlPoint {
  /** Service name. */
  service?: string;
  /** Control point name, e.g. `ingress`. */
  control_point?: string;
  /** Kind of traffic; absent means UNSPECIFIED. */
  type?: ControlPointType;
}

/** Deltas observed during one tick. */
export interface Report {
  /** 1 for the first report on a stream, then +1 each. */
  sequence?: number;
  /** Agent wall clock at the end of the interval, Unix epoch ms. */
  agent_time_ms?: number;
  /** Interval length, ms, ending at `agent_time_ms`. */
  interval_ms?: number;
  /** Flux meters that saw a flow. */
  flux_meters?: FluxMeterDelta[];
  /** Load-scheduler components that saw a flow. */
  token_counters?: TokenCounterDelta[];
  /** Control points that received a Check. */
  control_points?: ControlPoint[];
}

/** Flow labels of one sampled flow. */
export interface FlowLabels {
  /** Label name to value. */
  labels?: Record<string, string>;
}

/** (Part of) the answer to a {@link PreviewRequest}; the last part has `done`. */
export interface PreviewSamples {
  /** `request_id` of the request being answered. */
  request_id?: string;
  /** Samples for `PREVIEW_KIND_FLOW_LABELS`. */
  flow_labels?: FlowLabels[];
  /** Samples for `PREVIEW_KIND_HTTP_REQUEST`, one JSON document each. */
  http_requests_json?: string[];
  /** True on the last message for this request. */
  done?: boolean;
  /** Non-empty when the preview failed (implies done). */
  error?: string;
}

/** `hello` member of {@link AgentMessage}. */
export interface AgentHelloMessage {
  payload: 'hello';
  hello: Hello;
}

/** `report` member of {@link AgentMessage}. */
export interface AgentReportMessage {
  payload: 'report';
  report: Report;
}

/** `preview_samples` member of {@link AgentMessage}. */
export interface AgentPreviewSamplesMessage {
  payload: 'preview_samples';
  preview_samples: PreviewSamples;
}

/** A message whose oneof member this version does not know (or none was set). */
export interface UnknownPayloadMessage {
  payload?: undefined;
}

/** Everything the agent sends on `AgentSync.Connect`. */
export type AgentMessage =
  AgentHelloMessage | AgentReportMessage | AgentPreviewSamplesMessage | UnknownPayloadMessage;

// ---------------------------------------------------------------------------
// Controller -> agent
// ---------------------------------------------------------------------------

/** One compiled component; its body is JSON validated in TypeScript. */
export interface CompiledComponent {
  /** Component id, unique within the policy. */
  component_id?: string;
  /** Component kind, e.g. `load-scheduler`; picks the schema for `json`. */
  kind?: string;
  /** The compiled component as a JSON object. */
  json?: string;
}

/** The compiled components of one policy. */
export interface PolicyComponents {
  /** Policy name. */
  policy_name?: string;
  /** Hash of this compile. */
  policy_hash?: string;
  /** Components in evaluation order. */
  components?: CompiledComponent[];
}

/** Full replacement set of policies for the agent; an absent policy is removed. */
export interface Components {
  /** One entry per selected policy; absent means "run nothing". */
  policies?: PolicyComponents[];
}

/** What one load scheduler should do until told otherwise. */
export interface LoadDecision {
  /** Policy owning the component. */
  policy_name?: string;
  /** Compile the decision is for; a different hash on the agent means "ignore". */
  policy_hash?: string;
  /** Component id within the policy. */
  component_id?: string;
  /** Fill-rate multiplier on the recent incoming token rate; >= 0. */
  load_multiplier?: number;
  /** Admit everything. */
  pass_through?: boolean;
  /** Validity on the agent's clock from receipt, ms; absent/0 = agent default (30 s). */
  ttl_ms?: number;
}

/** New decisions; each replaces the previous one for its policy + component. */
export interface Decisions {
  /** The decisions. */
  decisions?: LoadDecision[];
}

/** `sluice.sync.v1.PreviewKind` value names. */
export type PreviewKind =
  'PREVIEW_KIND_UNSPECIFIED' | 'PREVIEW_KIND_FLOW_LABELS' | 'PREVIEW_KIND_HTTP_REQUEST';

/** Ask the agent to sample live flows at a control point. */
export interface PreviewRequest {
  /** Controller-chosen id, echoed in {@link PreviewSamples}. */
  request_id?: string;
  /** Control point to sample at. */
  control_point?: string;
  /** Service to sample at; absent = any. */
  service?: string;
  /** Only flows whose labels contain all these pairs. */
  match_labels?: Record<string, string>;
  /** Samples wanted. */
  samples?: number;
  /** Give up after this many ms, answering done with what was collected. */
  timeout_ms?: number;
  /** What to collect. */
  kind?: PreviewKind;
}

/** Cancel an open preview. */
export interface PreviewCancel {
  /** `request_id` of the preview to cancel. */
  request_id?: string;
}

/** `components` member of {@link ControllerMessage}. */
export interface ControllerComponentsMessage {
  payload: 'components';
  components: Components;
}

/** `decisions` member of {@link ControllerMessage}. */
export interface ControllerDecisionsMessage {
  payload: 'decisions';
  decisions: Decisions;
}

/** `preview_request` member of {@link ControllerMessage}. */
export interface ControllerPreviewRequestMessage {
  payload: 'preview_request';
  preview_request: PreviewRequest;
}

/** `preview_cancel` member of {@link ControllerMessage}. */
export interface ControllerPreviewCancelMessage {
  payload: 'preview_cancel';
  preview_cancel: PreviewCancel;
}

/** Everything the controller sends on `AgentSync.Connect`. */
export type ControllerMessage =
  | ControllerComponentsMessage
  | ControllerDecisionsMessage
  | ControllerPreviewRequestMessage
  | ControllerPreviewCancelMessage
  | UnknownPayloadMessage;
