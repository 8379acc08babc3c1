import { z } from 'zod';
import { parseWith, SpecValidationError, type ParseResult } from '../spec-issues.js';
import { ClassifierSchema } from './classifier.js';
import { FluxMeterSchema } from './flux-meter.js';
import { LoadSchedulerSchema } from './load-scheduler.js';
import { RateLimiterSchema } from './rate-limiter.js';

/** Facts of the FlowPolicy custom resource. `Policy` would collide with Aperture's and Kyverno's kinds. */
export const FLOW_POLICY_CRD = {
  group: 'sluice.dev',
  version: 'v1alpha1',
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'FlowPolicy',
  listKind: 'FlowPolicyList',
  plural: 'flowpolicies',
  singular: 'flowpolicy',
  shortNames: ['fp'],
  categories: ['sluice'],
} as const;

/** DNS-1123 subdomain, the rule for most Kubernetes object names. */
export const OBJECT_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export const ObjectMetaSchema = z
  .looseObject({
    name: z
      .string()
      .max(253)
      .regex(new RegExp(OBJECT_NAME_PATTERN), {
        message: 'must be a DNS-1123 subdomain: lower-case letters, digits, - and .',
      })
      .describe('Policy name.'),
    namespace: z
      .string()
      .max(63)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
        message: 'must be a DNS-1123 label: at most 63 lower-case letters, digits and -',
      })
      .optional()
      .describe('Policy namespace.'),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .describe('Kubernetes object metadata; fields the API server adds are kept as they are.');

export const FlowPolicySpecSchema = z
  .object({
    classifiers: z.array(ClassifierSchema).default([]).describe('Create flow labels from requests.'),
    fluxMeters: z.array(FluxMeterSchema).default([]).describe('Latency histograms of matching flows.'),
    rateLimiters: z
      .array(RateLimiterSchema)
      .default([])
      .describe('Token buckets per label value; reject with 429.'),
    loadSchedulers: z
      .array(LoadSchedulerSchema)
      .default([])
      .describe('Average-latency load schedulers; reject with 503.'),
  })
  .strict()
  .superRefine((spec, context) => {
    const components = new Map<string, string>();
    const claim = (name: string, path: (string | number)[]) => {
      const earlier = components.get(name);
      if (earlier !== undefined) {
        context.addIssue({
          code: 'custom',
          path,
          message: `component name ${name} is already used at ${earlier}`,
        });
      } else {
        components.set(name, path.join('.'));
      }
    };
    spec.rateLimiters.forEach((limiter, index) => claim(limiter.name, ['rateLimiters', index, 'name']));
    spec.loadSchedulers.forEach((scheduler, index) =>
      claim(scheduler.name, ['loadSchedulers', index, 'name']),
    );
    const meters = new Set<string>();
    spec.fluxMeters.forEach((meter, index) => {
      if (meters.has(meter.name)) {
        context.addIssue({
          code: 'custom',
          path: ['fluxMeters', index, 'name'],
          message: `flux meter ${meter.name} is defined twice`,
        });
      }
      meters.add(meter.name);
    });
  });

export const FlowPolicyStatusSchema = z
  .looseObject({})
  .describe('Written by the controller: conditions, observedGeneration, control-loop state.');

export const FlowPolicySchema = z
  .object({
    apiVersion: z.literal(FLOW_POLICY_CRD.apiVersion),
    kind: z.literal(FLOW_POLICY_CRD.kind),
    metadata: ObjectMetaSchema,
    spec: FlowPolicySpecSchema,
    status: FlowPolicyStatusSchema.optional(),
  })
  .strict()
  .describe('A Sluice flow-control policy.');

export type FlowPolicy = z.output<typeof FlowPolicySchema>;
export type FlowPolicyInput = z.input<typeof FlowPolicySchema>;
export type FlowPolicySpec = z.output<typeof FlowPolicySpecSchema>;
export type FlowPolicySpecInput = z.input<typeof FlowPolicySpecSchema>;

/** Validates a FlowPolicy document and applies defaults; never throws. */
export function parseFlowPolicy(input: unknown): ParseResult<FlowPolicy> {
  return parseWith(FlowPolicySchema, input);
}

/** As parseFlowPolicy, but throws a SpecValidationError naming `source` and every issue. */
export function parseFlowPolicyOrThrow(input: unknown, source = 'FlowPolicy'): FlowPolicy {
  const result = parseFlowPolicy(input);
  if (!result.ok) throw new SpecValidationError(source, result.issues);
  return result.value;
}
