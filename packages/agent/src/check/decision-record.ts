import { z } from 'zod';

/**
 * The decision as it travels in Envoy dynamic metadata and comes back in the access log. It is
 * stored under Aperture's key `aperture.check_response` so Aperture's istioconfig EnvoyFilter, which
 * logs `%DYNAMIC_METADATA(envoy.filters.http.ext_authz:aperture.check_response)%`, works unchanged.
 *
 * Two formats (see the package README, "Decision records"):
 * - v2, what the agent writes: `2.<base64url body JSON>.<base64url MAC>`; the body adds a flow id,
 *   a random nonce and the signing key's id to the decision; the MAC binds body and Check peer.
 * - v1, what agents of version 0.1 wrote: base64 of JSON starting `{"v":1`, unsigned.
 * Both use only characters Envoy's formatter writes as they are.
 */
export const DECISION_METADATA_KEY = 'aperture.check_response';

/** The decision itself, shared by both formats, in the order the records carry it. */
const decisionShape = {
  controlPoint: z.string(),
  services: z.array(z.string()),
  decision: z.enum(['accepted', 'rejected']),
  components: z.array(
    z
      .object({
        policyName: z.string(),
        policyHash: z.string(),
        componentId: z.string(),
        kind: z.enum(['rate-limiter', 'load-scheduler']),
        decision: z.enum(['accepted', 'rejected']),
        dryRun: z.boolean(),
        reason: z.string(),
        workload: z.string().optional(),
        tokens: z.number(),
        queuedMs: z.number(),
      })
      .strict(),
  ),
  fluxMeters: z.array(z.object({ policyName: z.string(), name: z.string() }).strict()),
  labels: z.record(z.string(), z.string()),
  /** Wall-clock start of the Check, epoch ms. */
  startedAtMs: z.number(),
  /** Time the agent spent on the Check, queueing included. */
  processingMs: z.number(),
};

/** A v1 record (agents of version 0.1): the decision with `v: 1`, base64 JSON, unsigned. */
export const DecisionRecordSchema = z.object({ v: z.literal(1), ...decisionShape }).strict();

/** The JSON body of a v2 record: who and which flow, then the decision. */
export const DecisionRecordV2BodySchema = z
  .object({
    /** Unique per agent process: `<instance>.<sequence in base36>`. */
    flowId: z.string(),
    /** 96 random bits, base64url: what makes each record acceptable once. */
    nonce: z.string(),
    /** The id of the key that signed the record (RecordKey.id). */
    keyId: z.string(),
    ...decisionShape,
  })
  .strict();

export type DecisionRecordV1 = z.output<typeof DecisionRecordSchema>;
export type DecisionRecordV2 = { readonly v: 2 } & z.output<typeof DecisionRecordV2BodySchema>;
/** A decoded record of either format; `v` tells which. */
export type DecisionRecord = DecisionRecordV1 | DecisionRecordV2;

/**
 * The v1 metadata value for `record`: base64 of its JSON, as agents of version 0.1 wrote it (tests
 * and upgrade checks use it; the agent writes v2 with DecisionRecordEncoder).
 */
export function encodeDecisionRecord(record: DecisionRecordV1): string {
  return Buffer.from(JSON.stringify(record), 'utf8').toString('base64');
}

type ComponentRecord = DecisionRecord['components'][number];

const COMPONENT_KINDS: ReadonlySet<unknown> = new Set(['rate-limiter', 'load-scheduler']);
const DECISIONS: ReadonlySet<unknown> = new Set(['accepted', 'rejected']);
const RECORD_KEYS: ReadonlySet<string> = new Set(Object.keys(DecisionRecordSchema.shape));
const V2_BODY_KEYS: ReadonlySet<string> = new Set(Object.keys(DecisionRecordV2BodySchema.shape));
const COMPONENT_KEYS: ReadonlySet<string> = new Set(Object.keys(decisionShape.components.element.shape));
const FLUX_METER_KEYS: ReadonlySet<string> = new Set(['policyName', 'name']);

/** zod's object test: an object that is not null and not an array. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** zod's plain-object test, which z.record applies. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const constructor: unknown = value.constructor;
  if (constructor === undefined || typeof constructor !== 'function') return true;
  const prototype: unknown = (constructor as { prototype?: unknown }).prototype;
  return isObject(prototype) && Object.prototype.hasOwnProperty.call(prototype, 'isPrototypeOf');
}

/** A strict object has no enumerable key besides `keys` (zod walks them with for…in). */
function onlyKeys(value: Record<string, unknown>, keys: ReadonlySet<string>): boolean {
  for (const key in value) if (!keys.has(key)) return false;
  return true;
}

/** zod's number: finite. */
function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** An array of strings; a hole counts as undefined, as zod reads it (Array#every would skip it). */
function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return false;
  return true;
}

function readComponent(value: unknown): ComponentRecord | undefined {
  if (!isObject(value) || !onlyKeys(value, COMPONENT_KEYS)) return undefined;
  const { policyName, policyHash, componentId, kind, decision, dryRun, reason, tokens, queuedMs } = value;
  if (
    typeof policyName !== 'string' ||
    typeof policyHash !== 'string' ||
    typeof componentId !== 'string' ||
    !COMPONENT_KINDS.has(kind) ||
    !DECISIONS.has(decision) ||
    typeof dryRun !== 'boolean' ||
    typeof reason !== 'string' ||
    !isNumber(tokens) ||
    !isNumber(queuedMs)
  )
    return undefined;
  // An optional key: absent stays absent; present, it must hold a string (or undefined, kept as is).
  const hasWorkload = 'workload' in value;
  const workload = value.workload;
  if (workload !== undefined && typeof workload !== 'string') return undefined;
  return {
    policyName,
    policyHash,
    componentId,
    kind: kind as ComponentRecord['kind'],
    decision: decision as ComponentRecord['decision'],
    dryRun,
    reason,
    ...(hasWorkload ? { workload } : {}),
    tokens,
    queuedMs,
  };
}

function readLabels(value: unknown): Record<string, string> | undefined {
  if (!isPlainObject(value)) return undefined;
  // zod reads own enumerable keys; an enumerable symbol key is not a string, so the record is refused.
  for (const symbol of Object.getOwnPropertySymbols(value))
    if (Object.prototype.propertyIsEnumerable.call(value, symbol)) return undefined;
  const labels: Record<string, string> = {};
  for (const key of Object.keys(value)) {
    // zod skips `__proto__` (assigning it would replace the output's prototype).
    if (key === '__proto__') continue;
    const label = value[key];
    if (typeof label !== 'string') return undefined;
    labels[key] = label;
  }
  return labels;
}

type Decision = Omit<DecisionRecordV1, 'v'>;

/** The decision part of a record value (keys already checked), or undefined where zod would refuse it. */
function readDecision(value: Record<string, unknown>): Decision | undefined {
  const { controlPoint, services, decision, components, fluxMeters, labels, startedAtMs, processingMs } =
    value;
  if (
    typeof controlPoint !== 'string' ||
    !isStringArray(services) ||
    !DECISIONS.has(decision) ||
    !Array.isArray(components) ||
    !Array.isArray(fluxMeters) ||
    !isNumber(startedAtMs) ||
    !isNumber(processingMs)
  )
    return undefined;
  const componentRecords: ComponentRecord[] = [];
  for (const component of components as unknown[]) {
    const record = readComponent(component);
    if (record === undefined) return undefined;
    componentRecords.push(record);
  }
  const meters: Decision['fluxMeters'] = [];
  for (const meter of fluxMeters as unknown[]) {
    if (!isObject(meter) || !onlyKeys(meter, FLUX_METER_KEYS)) return undefined;
    const { policyName, name } = meter;
    if (typeof policyName !== 'string' || typeof name !== 'string') return undefined;
    meters.push({ policyName, name });
  }
  const labelRecord = readLabels(labels);
  if (labelRecord === undefined) return undefined;
  return {
    controlPoint,
    services: [...services],
    decision: decision as Decision['decision'],
    components: componentRecords,
    fluxMeters: meters,
    labels: labelRecord,
    startedAtMs,
    processingMs,
  };
}

/**
 * DecisionRecordSchema's parse written out, for the access-log path, where zod's generic walk was
 * a fifth of the agent's CPU per record: the same verdict and, for a record it accepts, the same
 * output (fresh objects with their keys in schema order). Undefined when the schema would refuse the
 * value: decodeDecisionRecord then asks zod, which says why, so the error reporting is zod's own.
 * test/decision-record.test.ts checks the two agree on random values.
 */
export function readDecisionRecord(value: unknown): DecisionRecordV1 | undefined {
  if (!isObject(value) || !onlyKeys(value, RECORD_KEYS) || value.v !== 1) return undefined;
  const decision = readDecision(value);
  return decision === undefined ? undefined : { v: 1, ...decision };
}

/**
 * DecisionRecordV2BodySchema's parse written out, as readDecisionRecord is for v1, with `v: 2` put
 * first: `{ v: 2, ...zod's output }` for a body zod accepts, undefined for one it refuses.
 */
export function readDecisionRecordV2Body(value: unknown): DecisionRecordV2 | undefined {
  if (!isObject(value) || !onlyKeys(value, V2_BODY_KEYS)) return undefined;
  const { flowId, nonce, keyId } = value;
  if (typeof flowId !== 'string' || typeof nonce !== 'string' || typeof keyId !== 'string') return undefined;
  const decision = readDecision(value);
  return decision === undefined ? undefined : { v: 2, flowId, nonce, keyId, ...decision };
}

/** The three parts of a v2 value `2.<body>.<mac>`. */
export interface SignedRecordText {
  /** The body's base64url text, as the MAC covers it. */
  readonly body: string;
  readonly mac: string;
}

/** A v2 value split at its dots; undefined when it is not `2.` followed by two non-empty parts. */
export function splitSignedRecord(encoded: string): SignedRecordText | undefined {
  if (!encoded.startsWith('2.')) return undefined;
  const dot = encoded.indexOf('.', 2);
  if (dot <= 2 || dot === encoded.length - 1 || encoded.indexOf('.', dot + 1) >= 0) return undefined;
  return { body: encoded.slice(2, dot), mac: encoded.slice(dot + 1) };
}

/** base64 of `{"v":1`: how every v1 value begins (JSON.stringify writes no space). */
const V1_PREFIX = 'eyJ2Ijox';

/** Whether `encoded` looks like a v1 value (base64 of JSON starting `{"v":1`). */
export function isV1RecordText(encoded: string): boolean {
  return encoded.startsWith(V1_PREFIX);
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes a v2 body (the base64url text between the dots); throws with the reason when it is not a
 * body the agent writes. It does not verify anything: RecordVerifier checks the MAC first.
 */
export function decodeDecisionRecordV2Body(body: string): DecisionRecordV2 {
  let json: unknown;
  try {
    if (!BASE64URL.test(body)) throw new Error('not base64url');
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw new Error('decision record body is not base64url JSON');
  }
  const record = readDecisionRecordV2Body(json);
  if (record !== undefined) return record;
  const parsed = DecisionRecordV2BodySchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `decision record body does not match the v2 schema: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  return { v: 2, ...parsed.data };
}

/** Decodes a v1 value; throws with the reason when it is not a v1 record. */
export function decodeDecisionRecordV1(encoded: string): DecisionRecordV1 {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as unknown;
  } catch {
    throw new Error('decision metadata is not base64 JSON');
  }
  const record = readDecisionRecord(json);
  if (record !== undefined) return record;
  // Refused: zod's parse gives the reason (and would be the judge if the two ever disagreed).
  const parsed = DecisionRecordSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `decision metadata does not match the record schema: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  return parsed.data;
}

/**
 * What a metadata value of either format says, **without verifying it**: for tests, tools and
 * people reading a Check's answer. The access-log path reads records through RecordVerifier, which
 * checks the MAC, the peer, the age and the nonce before trusting any of this. Throws with the
 * reason when the value is neither format.
 */
export function decodeDecisionRecord(encoded: string): DecisionRecord {
  if (encoded.startsWith('2.')) {
    const signed = splitSignedRecord(encoded);
    if (signed === undefined) throw new Error('decision metadata is not 2.<body>.<mac>');
    return decodeDecisionRecordV2Body(signed.body);
  }
  return decodeDecisionRecordV1(encoded);
}
