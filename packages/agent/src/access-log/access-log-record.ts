import {
  decodeDecisionRecord,
  DECISION_METADATA_KEY,
  type DecisionRecord,
} from '../check/decision-record.js';

/** Attribute keys Envoy's OpenTelemetry access logger sends (Aperture's istioconfig spelling). */
export const ACCESS_LOG_KEYS = {
  decision: DECISION_METADATA_KEY,
  statusCode: 'http.status_code',
  responseDuration: 'RESPONSE_DURATION',
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
   * and when the difference is negative.
   */
  readonly latencyMs: number | undefined;
}

export type AccessLogOutcome =
  | { readonly kind: 'flow'; readonly flow: LoggedFlow }
  /** Authz never ran for this request (`-` metadata): normal, not an error. */
  | { readonly kind: 'no-decision' }
  | { readonly kind: 'malformed'; readonly reason: string };

/** Envoy writes `-` for an unset format operator. */
function present(value: string | undefined): string | undefined {
  return value === undefined || value === '' || value === '-' ? undefined : value;
}

function numberAttribute(attributes: ReadonlyMap<string, string>, key: string): number | undefined | Error {
  const raw = present(attributes.get(key));
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isFinite(value)
    ? value
    : new Error(`attribute ${key} is ${JSON.stringify(raw)}, not a number`);
}

/** Parses one record's attributes (already flattened to strings). */
export function parseAccessLogAttributes(attributes: ReadonlyMap<string, string>): AccessLogOutcome {
  const encoded = present(attributes.get(ACCESS_LOG_KEYS.decision));
  if (encoded === undefined) return { kind: 'no-decision' };
  let record: DecisionRecord;
  try {
    record = decodeDecisionRecord(encoded);
  } catch (error) {
    return { kind: 'malformed', reason: (error as Error).message };
  }
  const status = numberAttribute(attributes, ACCESS_LOG_KEYS.statusCode);
  const response = numberAttribute(attributes, ACCESS_LOG_KEYS.responseDuration);
  let authz: number | undefined | Error;
  for (const key of ACCESS_LOG_KEYS.authzDuration) {
    authz = numberAttribute(attributes, key);
    if (authz !== undefined) break;
  }
  for (const value of [status, response, authz])
    if (value instanceof Error) return { kind: 'malformed', reason: value.message };
  const statusCode = status === 0 ? undefined : (status as number | undefined);
  const responseDurationMs = response as number | undefined;
  const authzDurationMs = authz as number | undefined;
  const difference =
    responseDurationMs !== undefined && authzDurationMs !== undefined
      ? responseDurationMs - authzDurationMs
      : undefined;
  return {
    kind: 'flow',
    flow: {
      record,
      statusCode,
      flowStatus: statusCode !== undefined && statusCode >= 100 && statusCode < 400 ? 'OK' : 'Error',
      responseDurationMs,
      authzDurationMs,
      latencyMs: difference !== undefined && difference >= 0 ? difference : undefined,
    },
  };
}

/** OTLP AnyValue in proto-loader object form (keepCase, oneofs). */
export interface AnyValueMessage {
  string_value?: string;
  int_value?: number | string;
  double_value?: number;
  bool_value?: boolean;
  value?: string;
}

/** Flattens OTLP KeyValue attributes to strings; Envoy sends strings, others are printed. */
export function attributeMap(
  attributes: ReadonlyArray<{ key?: string; value?: AnyValueMessage | null }> | undefined,
): Map<string, string> {
  const map = new Map<string, string>();
  for (const attribute of attributes ?? []) {
    if (attribute.key === undefined || attribute.value === undefined || attribute.value === null) continue;
    const value = attribute.value;
    const text =
      value.string_value ??
      (value.int_value !== undefined ? String(value.int_value) : undefined) ??
      (value.double_value !== undefined ? String(value.double_value) : undefined) ??
      (value.bool_value !== undefined ? String(value.bool_value) : undefined);
    if (text !== undefined) map.set(attribute.key, text);
  }
  return map;
}
