import { z } from 'zod';
import { LabelMatcherSchema } from '../flow-policy/label-matcher.js';

/**
 * What the controller sends to agents: FlowPolicy components compiled into flat, unit-resolved
 * documents (durations in ms, defaults applied, flux meters for control loops made explicit).
 * Agents parse these at the boundary with the schemas below; the proto carries them as JSON so this
 * contract evolves in TypeScript without proto churn.
 */

const CompiledSelectorSchema = z
  .object({
    controlPoint: z.string(),
    service: z.string(),
    agentGroup: z.string(),
    labelMatcher: LabelMatcherSchema.optional(),
  })
  .strict();

const identity = {
  policyName: z.string(),
  policyHash: z.string(),
  /** Unique within the policy: the component's name (flux meters: the meter name). */
  componentId: z.string(),
  selectors: z.array(CompiledSelectorSchema).min(1),
};

export const CompiledClassifierSchema = z
  .object({
    kind: z.literal('classifier'),
    ...identity,
    rules: z.record(
      z.string(),
      z
        .object({
          header: z.string().optional(),
          jsonPointer: z.string().optional(),
          pathTemplate: z.string().optional(),
          segment: z.string().optional(),
          telemetry: z.boolean(),
          propagate: z.boolean(),
        })
        .strict(),
    ),
  })
  .strict();

export const CompiledFluxMeterSchema = z
  .object({
    kind: z.literal('flux-meter'),
    ...identity,
    /** Flux meter name; agents report deltas under it. */
    name: z.string(),
    bucketsMs: z.array(z.number()),
  })
  .strict();

export const CompiledRateLimiterSchema = z
  .object({
    kind: z.literal('rate-limiter'),
    ...identity,
    bucketCapacity: z.number(),
    fillAmount: z.number(),
    intervalMs: z.number(),
    limitByLabelKey: z.string().optional(),
    tokensLabelKey: z.string().optional(),
    /** Baggage may set the tokens label; absent (older controllers) means false. */
    tokensFromBaggage: z.boolean().optional(),
    continuousFill: z.boolean(),
    backend: z.enum(['local', 'redis']),
    deniedResponseStatusCode: z.number().int(),
    dryRun: z.boolean(),
  })
  .strict();

const CompiledWorkloadSchema = z
  .object({
    /** Metrics label: the workload's name, or its index as a string, or `default`. */
    name: z.string(),
    labelMatcher: LabelMatcherSchema,
    priority: z.number(),
    tokens: z.number(),
    queueTimeoutMs: z.number().optional(),
  })
  .strict();

export const CompiledLoadSchedulerSchema = z
  .object({
    kind: z.literal('load-scheduler'),
    ...identity,
    workloads: z.array(CompiledWorkloadSchema),
    defaultWorkload: CompiledWorkloadSchema,
    fairnessLabelKey: z.string().optional(),
    tokensLabelKey: z.string().optional(),
    /** Baggage may set the tokens label; absent (older controllers) means false. */
    tokensFromBaggage: z.boolean().optional(),
    decisionDeadlineMarginMs: z.number(),
    maxQueueTimeoutMs: z.number(),
    deniedResponseStatusCode: z.number().int(),
    dryRun: z.boolean(),
    /** The flux meter whose OK-flow latency is this scheduler's signal. */
    fluxMeterName: z.string(),
  })
  .strict();

export const CompiledComponentSchema = z.discriminatedUnion('kind', [
  CompiledClassifierSchema,
  CompiledFluxMeterSchema,
  CompiledRateLimiterSchema,
  CompiledLoadSchedulerSchema,
]);

export type CompiledClassifier = z.output<typeof CompiledClassifierSchema>;
export type CompiledFluxMeter = z.output<typeof CompiledFluxMeterSchema>;
export type CompiledRateLimiter = z.output<typeof CompiledRateLimiterSchema>;
export type CompiledLoadScheduler = z.output<typeof CompiledLoadSchedulerSchema>;
export type CompiledWorkload = z.output<typeof CompiledWorkloadSchema>;
export type CompiledComponent = z.output<typeof CompiledComponentSchema>;
export type CompiledComponentKind = CompiledComponent['kind'];
