import { z } from 'zod';
import type { ComponentDecision } from '../pipeline/component-decision.js';

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

export function componentRecords(decisions: readonly ComponentDecision[]): DecisionRecord['components'] {
  return decisions.map((decision) => ({
    policyName: decision.identity.policyName,
    policyHash: decision.identity.policyHash,
    componentId: decision.identity.componentId,
    kind: decision.kind,
    decision: decision.admitted ? 'accepted' : 'rejected',
    dryRun: !decision.enforced,
    reason: decision.reason,
    ...(decision.workload === undefined ? {} : { workload: decision.workload }),
    tokens: decision.tokens,
    queuedMs: Math.round(decision.queuedMs * 1000) / 1000,
  }));
}

export function encodeDecisionRecord(record: DecisionRecord): string {
  return Buffer.from(JSON.stringify(record), 'utf8').toString('base64');
}

/** Decodes a metadata value; throws with the reason when it is not a record this agent wrote. */
export function decodeDecisionRecord(encoded: string): DecisionRecord {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as unknown;
  } catch {
    throw new Error('decision metadata is not base64 JSON');
  }
  const parsed = DecisionRecordSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `decision metadata does not match the record schema: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  return parsed.data;
}
