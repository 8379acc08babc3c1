import { z } from 'zod';

/**
 * The decision as it travels in Envoy dynamic metadata and comes back in the access log. It is
 * stored under Aperture's key `aperture.check_response` (base64 of this JSON) so Aperture's
 * istioconfig EnvoyFilter, which logs `%DYNAMIC_METADATA(envoy.filters.http.ext_authz:aperture.check_response)%`,
 * works unchanged. Base64 keeps the value free of the characters Envoy's formatter would escape.
 */
export const DECISION_METADATA_KEY = 'aperture.check_response';

export const DecisionRecordSchema = z
  .object({
    v: z.literal(1),
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
  })
  .strict();

export type DecisionRecord = z.output<typeof DecisionRecordSchema>;

/**
 * The metadata value for `record`: base64 of its JSON. The Check path uses DecisionRecordEncoder,
 * which writes the same bytes with less work per Check.
 */
export function encodeDecisionRecord(record: DecisionRecord): string {
  return Buffer.from(JSON.stringify(record), 'utf8').toString('base64');
}

type ComponentRecord = DecisionRecord['components'][number];

const COMPONENT_KINDS: ReadonlySet<unknown> = new Set(['rate-limiter', 'load-scheduler']);
const DECISIONS: ReadonlySet<unknown> = new Set(['accepted', 'rejected']);
const RECORD_KEYS: ReadonlySet<string> = new Set(Object.keys(DecisionRecordSchema.shape));
const COMPONENT_KEYS: ReadonlySet<string> = new Set(
  Object.keys(DecisionRecordSchema.shape.components.element.shape),
);
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

/**
 * DecisionRecordSchema's parse written out, for the access-log path, where zod's generic walk was
 * a fifth of the agent's CPU per record: the same verdict and, for a record it accepts, the same
 * output (fresh objects with their keys in schema order). Undefined when the schema would refuse the
 * value: decodeDecisionRecord then asks zod, which says why, so the error reporting is zod's own.
 * test/decision-record.test.ts checks the two agree on random values.
 */
export function readDecisionRecord(value: unknown): DecisionRecord | undefined {
  if (!isObject(value) || !onlyKeys(value, RECORD_KEYS)) return undefined;
  const { v, controlPoint, services, decision, components, fluxMeters, labels, startedAtMs, processingMs } =
    value;
  if (
    v !== 1 ||
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
  const meters: DecisionRecord['fluxMeters'] = [];
  for (const meter of fluxMeters as unknown[]) {
    if (!isObject(meter) || !onlyKeys(meter, FLUX_METER_KEYS)) return undefined;
    const { policyName, name } = meter;
    if (typeof policyName !== 'string' || typeof name !== 'string') return undefined;
    meters.push({ policyName, name });
  }
  const labelRecord = readLabels(labels);
  if (labelRecord === undefined) return undefined;
  return {
    v,
    controlPoint,
    services: [...services],
    decision: decision as DecisionRecord['decision'],
    components: componentRecords,
    fluxMeters: meters,
    labels: labelRecord,
    startedAtMs,
    processingMs,
  };
}

/** Decodes a metadata value; throws with the reason when it is not a record this agent wrote. */
export function decodeDecisionRecord(encoded: string): DecisionRecord {
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
