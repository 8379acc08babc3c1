import {
  decodeDecisionRecord,
  DECISION_METADATA_KEY,
  type DecisionRecord,
} from '../check/decision-record.js';
import type { RecordRead, RecordRefusal } from './record-verifier.js';

/** Attribute keys Envoy's OpenTelemetry access logger sends (Aperture's istioconfig spelling). */
export const ACCESS_LOG_KEYS = {
  decision: DECISION_METADATA_KEY,
  statusCode: 'http.status_code',
  responseDuration: 'RESPONSE_DURATION',
  /** Start to last byte sent downstream; read only for flows without a response duration (stalled). */
  duration: 'DURATION',
  /** Aperture's EnvoyFilter logs ext_authz_duration under `authz_duration`; ours may use the metadata name. */
  authzDuration: ['authz_duration', 'ext_authz_duration'],
} as const;

/** A flow reconstructed from one access-log record. */
export interface LoggedFlow {
  readonly record: DecisionRecord;
  /** HTTP status Envoy answered with; undefined when none was sent (`-` or 0). */
  readonly statusCode: number | undefined;
  /** 1xx–3xx → OK, anything else (including no response) → Error. */
  readonly flowStatus: 'OK' | 'Error';
  readonly responseDurationMs: number | undefined;
  readonly authzDurationMs: number | undefined;
  /**
   * Service latency: response duration − ext_authz duration, so the agent's own queueing is not
   * mistaken for the service slowing down. Undefined without ext_authz_duration (rejected flows)
   * and when the difference is negative. For a stalled flow: see {@link withStalledFlow}.
   */
  readonly latencyMs: number | undefined;
  /** An admitted flow that never got an upstream response (timeout, reset, client gone). */
  readonly stalled: boolean;
  /**
   * `DURATION`, for a stalled flow only (its latency comes from it). Unsigned like every duration,
   * so the verifier bounds it as it bounds `RESPONSE_DURATION`.
   */
  readonly durationMs?: number;
}

/** Why a record was dropped (the metric label); `detail` says what exactly. */
export type RecordRejection = 'decision-record' | 'attribute-type' | 'attribute-value';

export type AccessLogOutcome =
  | { readonly kind: 'flow'; readonly flow: LoggedFlow }
  /** Authz never ran for this request (`-` metadata): normal, not an error. */
  | { readonly kind: 'no-decision' }
  | { readonly kind: 'malformed'; readonly reason: RecordRejection; readonly detail: string }
  /** A well-formed decision record the reader does not believe (see RecordVerifier). */
  | { readonly kind: 'refused'; readonly reason: RecordRefusal; readonly detail: string };

/** Reads the decision metadata value of one record (RecordVerifier.read, bound to the sending peer). */
export type DecisionRecordReader = (encoded: string) => RecordRead;

/**
 * Reads any well-formed record, v1 or v2, **without verifying it**: for tests of the attribute
 * parsing and for tools. The agent's receiver always reads through its RecordVerifier.
 */
export const readRecordUnverified: DecisionRecordReader = (encoded) => {
  try {
    return { kind: 'record', record: decodeDecisionRecord(encoded) };
  } catch (error) {
    return { kind: 'malformed', detail: (error as Error).message };
  }
};

/**
 * One record's attributes flattened to strings. `null` marks an attribute whose value is not a
 * scalar (array, kvlist, bytes, or no value at all), so a key the agent reads can be refused
 * rather than mistaken for absent.
 */
export type AttributeValues = ReadonlyMap<string, string | null>;

class RecordProblem {
  constructor(
    readonly reason: RecordRejection,
    readonly detail: string,
  ) {}
}

/** Envoy writes `-` for an unset format operator. */
function present(attributes: AttributeValues, key: string): string | undefined | RecordProblem {
  const value = attributes.get(key);
  if (value === null) return new RecordProblem('attribute-type', `attribute ${key} is not a scalar value`);
  return value === undefined || value === '' || value === '-' ? undefined : value;
}

function numberAttribute(
  attributes: AttributeValues,
  key: string,
  minimum: number,
): number | undefined | RecordProblem {
  const raw = present(attributes, key);
  if (raw === undefined || raw instanceof RecordProblem) return raw;
  const value = Number(raw);
  return Number.isFinite(value) && value >= minimum
    ? value
    : new RecordProblem(
        'attribute-value',
        `attribute ${key} is ${JSON.stringify(raw.slice(0, 40))}, not a number >= ${minimum}`,
      );
}

/**
 * Parses one record's attributes (already flattened, see {@link attributeMap}). The decision
 * metadata is read by `readRecord`, before any other attribute.
 */
export function parseAccessLogAttributes(
  attributes: AttributeValues,
  readRecord: DecisionRecordReader = readRecordUnverified,
): AccessLogOutcome {
  const encoded = present(attributes, ACCESS_LOG_KEYS.decision);
  if (encoded === undefined) return { kind: 'no-decision' };
  if (encoded instanceof RecordProblem)
    return { kind: 'malformed', reason: encoded.reason, detail: encoded.detail };
  const read = readRecord(encoded);
  if (read.kind === 'refused') return read;
  if (read.kind === 'malformed') return { kind: 'malformed', reason: 'decision-record', detail: read.detail };
  const record: DecisionRecord = read.record;
  // Durations are ms and never negative; status 0 means no response was sent.
  const status = numberAttribute(attributes, ACCESS_LOG_KEYS.statusCode, 0);
  const response = numberAttribute(attributes, ACCESS_LOG_KEYS.responseDuration, 0);
  let authz: number | undefined | RecordProblem;
  for (const key of ACCESS_LOG_KEYS.authzDuration) {
    authz = numberAttribute(attributes, key, 0);
    if (authz !== undefined) break;
  }
  for (const value of [status, response, authz])
    if (value instanceof RecordProblem)
      return { kind: 'malformed', reason: value.reason, detail: value.detail };
  const statusCode = status === 0 ? undefined : (status as number | undefined);
  const responseDurationMs = response as number | undefined;
  const authzDurationMs = authz as number | undefined;
  const difference =
    responseDurationMs !== undefined && authzDurationMs !== undefined
      ? responseDurationMs - authzDurationMs
      : undefined;
  return withStalledFlow(attributes, {
    kind: 'flow',
    flow: {
      record,
      statusCode,
      flowStatus: statusCode !== undefined && statusCode >= 100 && statusCode < 400 ? 'OK' : 'Error',
      responseDurationMs,
      authzDurationMs,
      latencyMs: difference !== undefined && difference >= 0 ? difference : undefined,
    },
  });
}

/**
 * Stalled flows (issue 15): an admitted flow whose `RESPONSE_DURATION` is `-` (no byte ever came
 * back from the upstream: Envoy's route timeout answered 504, a reset 503, or the client left)
 * while `DURATION` is set. Without this, a service that only times out under overload would give no
 * latency sample at all. Its latency is `DURATION` − ext_authz duration (`DURATION` alone when the
 * ext_authz duration is absent; none when negative) and its flow status is `Error`. Rejected flows
 * are Sluice's own local replies, never stalls. Every other flow comes back with `stalled: false`.
 */
export function withStalledFlow(
  attributes: AttributeValues,
  outcome: { readonly kind: 'flow'; readonly flow: Omit<LoggedFlow, 'stalled'> },
): AccessLogOutcome {
  const flow = outcome.flow;
  if (flow.responseDurationMs !== undefined || flow.record.decision !== 'accepted')
    return { kind: 'flow', flow: { ...flow, stalled: false } };
  const duration = numberAttribute(attributes, ACCESS_LOG_KEYS.duration, 0);
  if (duration instanceof RecordProblem)
    return { kind: 'malformed', reason: duration.reason, detail: duration.detail };
  if (duration === undefined) return { kind: 'flow', flow: { ...flow, stalled: false } };
  const latencyMs = duration - (flow.authzDurationMs ?? 0);
  return {
    kind: 'flow',
    flow: {
      ...flow,
      flowStatus: 'Error',
      latencyMs: latencyMs >= 0 ? latencyMs : undefined,
      stalled: true,
      durationMs: duration,
    },
  };
}

/** OTLP AnyValue in proto-loader object form (keepCase, oneofs). */
export interface AnyValueMessage {
  string_value?: string;
  int_value?: number | string;
  double_value?: number;
  bool_value?: boolean;
  /** Not scalars: a key the agent reads holding one of these makes the record malformed. */
  array_value?: unknown;
  kvlist_value?: unknown;
  bytes_value?: Buffer;
  /** Which member is set (proto-loader `oneofs: true`). */
  value?: string;
}

/**
 * Flattens OTLP KeyValue attributes to strings; Envoy sends strings, other scalars are printed, and
 * a value with no scalar member becomes `null`. A KeyValue without a value is skipped.
 */
export function attributeMap(
  attributes: ReadonlyArray<{ key?: string; value?: AnyValueMessage | null }> | undefined,
): Map<string, string | null> {
  const map = new Map<string, string | null>();
  for (const attribute of attributes ?? []) {
    if (attribute.key === undefined || attribute.value === undefined || attribute.value === null) continue;
    const value = attribute.value;
    const text =
      value.string_value ??
      (value.int_value !== undefined ? String(value.int_value) : undefined) ??
      (value.double_value !== undefined ? String(value.double_value) : undefined) ??
      (value.bool_value !== undefined ? String(value.bool_value) : undefined);
    map.set(attribute.key, text ?? null);
  }
  return map;
}
