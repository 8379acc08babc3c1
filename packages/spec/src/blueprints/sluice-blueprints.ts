import { z } from 'zod';
import { ClassifierSchema } from '../flow-policy/classifier.js';
import { FLOW_POLICY_CRD, OBJECT_NAME_PATTERN, type FlowPolicyInput } from '../flow-policy/flow-policy.js';
import { LoadSchedulerSchema } from '../flow-policy/load-scheduler.js';
import { RateLimiterSchema } from '../flow-policy/rate-limiter.js';

const policyNameSchema = z
  .string()
  .max(253)
  .regex(new RegExp(OBJECT_NAME_PATTERN), {
    message: 'must be a DNS-1123 subdomain: lower-case letters, digits, - and .',
  })
  .describe('Name of the generated FlowPolicy.');

const common = {
  policyName: policyNameSchema,
  namespace: z
    .string()
    .min(1)
    .optional()
    .describe('Namespace of the generated FlowPolicy (the controller namespace).'),
  classifiers: z
    .array(ClassifierSchema)
    .default([])
    .describe('Classifiers creating the flow labels the policy matches on.'),
};

/** Sluice's values for `load-scheduling/average-latency`. */
export const AverageLatencyBlueprintValuesSchema = z
  .object({
    policy: z
      .object({
        ...common,
        loadScheduler: LoadSchedulerSchema.describe(
          'The load scheduler, its workloads and its average-latency strategy.',
        ),
      })
      .strict(),
  })
  .strict();

/** Sluice's values for `rate-limiting/base`. */
export const RateLimitBlueprintValuesSchema = z
  .object({
    policy: z
      .object({
        ...common,
        rateLimiter: RateLimiterSchema.describe('The rate limiter.'),
      })
      .strict(),
  })
  .strict();

export type AverageLatencyBlueprintValues = z.input<typeof AverageLatencyBlueprintValuesSchema>;
export type RateLimitBlueprintValues = z.input<typeof RateLimitBlueprintValuesSchema>;

export const BLUEPRINT_NAMES = ['load-scheduling/average-latency', 'rate-limiting/base'] as const;
export type BlueprintName = (typeof BLUEPRINT_NAMES)[number];

function metadata(policyName: string, namespace: string | undefined): FlowPolicyInput['metadata'] {
  return namespace === undefined ? { name: policyName } : { name: policyName, namespace };
}

/** Builds the FlowPolicy a validated average-latency values document describes (input form: defaults stay implicit). */
export function averageLatencyPolicy(values: AverageLatencyBlueprintValues): FlowPolicyInput {
  const { policyName, namespace, classifiers, loadScheduler } = values.policy;
  return {
    apiVersion: FLOW_POLICY_CRD.apiVersion,
    kind: FLOW_POLICY_CRD.kind,
    metadata: metadata(policyName, namespace),
    spec: {
      ...(classifiers && classifiers.length > 0 ? { classifiers } : {}),
      loadSchedulers: [loadScheduler],
    },
  };
}

/** Builds the FlowPolicy a validated rate-limit values document describes. */
export function rateLimitPolicy(values: RateLimitBlueprintValues): FlowPolicyInput {
  const { policyName, namespace, classifiers, rateLimiter } = values.policy;
  return {
    apiVersion: FLOW_POLICY_CRD.apiVersion,
    kind: FLOW_POLICY_CRD.kind,
    metadata: metadata(policyName, namespace),
    spec: { ...(classifiers && classifiers.length > 0 ? { classifiers } : {}), rateLimiters: [rateLimiter] },
  };
}
