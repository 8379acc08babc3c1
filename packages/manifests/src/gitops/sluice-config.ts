import { z } from 'zod';
import {
  didYouMean,
  FlowPolicySchema,
  IstioConfigValuesSchema,
  knownKeysAt,
  SluiceChartValuesSchema,
  SluiceCrdsChartValuesSchema,
  SpecValidationError,
  TenantGatewaysValuesSchema,
  toSpecIssues,
} from '@sluice/spec';
import { configConflicts } from './sluice-config-checks.js';

/**
 * A whole Sluice installation as one document: what `sluicectl synth` reads from a YAML/JSON file, or from
 * a `sluice.config.ts` whose default export is `defineSluiceConfig({...})`. Each component's `values` are
 * exactly its chart's values, so the same document drives plain manifests and Helm releases.
 */

/**
 * A component's `values`, typed and checked as its chart's values (unknown keys at any depth are refused
 * with a "did you mean"), yet kept exactly as written: helm mode hands them to the chart, where
 * values.yaml supplies the defaults, so parsing must not fill them in.
 */
function chartValues<S extends z.ZodType>(schema: S): z.ZodType<z.input<S>, z.input<S>> {
  return z.unknown().superRefine((value, ctx) => {
    const result = schema.safeParse(value);
    if (result.success) return;
    for (const issue of result.error.issues) {
      if (issue.code !== 'unrecognized_keys') {
        ctx.addIssue({ ...issue, input: undefined });
        continue;
      }
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        ctx.addIssue({
          code: 'custom',
          path: [...issue.path, key],
          message: `unknown field${didYouMean(key, known)}`,
        });
      }
    }
  }) as unknown as z.ZodType<z.input<S>, z.input<S>>;
}

export const SluiceConfigSchema = z
  .object({
    release: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .max(53)
      .default('sluice')
      .describe('Helm release name of the sluice chart.'),
    namespace: z
      .string()
      .min(1)
      .default('sluice-system')
      .describe('Namespace of the agent, controller and policies.'),
    crds: z
      .object({
        enabled: z.boolean().default(true),
        values: chartValues(SluiceCrdsChartValuesSchema).default({}).describe('sluice-crds chart values.'),
      })
      .strict()
      .prefault({}),
    sluice: z
      .object({
        values: chartValues(SluiceChartValuesSchema)
          .default({})
          .describe('sluice chart values (agent and controller).'),
      })
      .strict()
      .prefault({}),
    istioConfig: z
      .object({
        enabled: z.boolean().default(true),
        release: z.string().min(1).default('sluice-istioconfig'),
        namespace: z
          .string()
          .min(1)
          .default('istio-system')
          .describe('The istiod namespace applies it mesh-wide.'),
        values: chartValues(IstioConfigValuesSchema).default({}).describe('istioconfig chart values.'),
      })
      .strict()
      .prefault({}),
    tenantGateways: z
      .object({
        enabled: z.boolean().default(false),
        release: z.string().min(1).default('tenant-gateways'),
        namespace: z.string().min(1).default('istio-ingress'),
        values: chartValues(TenantGatewaysValuesSchema).default({}).describe('tenant-gateways chart values.'),
      })
      .strict()
      .prefault({}),
    policies: z.array(FlowPolicySchema).default([]).describe('FlowPolicy resources to install.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const conflict of configConflicts(config)) {
      ctx.addIssue({ code: 'custom', path: conflict.path, message: conflict.message });
    }
  });

export type SluiceConfig = z.output<typeof SluiceConfigSchema>;
export type SluiceConfigInput = z.input<typeof SluiceConfigSchema>;

/**
 * Gives a `sluice.config.ts` its types, and checks it as `sluicectl synth` will: an unknown key at any
 * depth, a bad value or a conflict throws, naming each path. Returns the config as written.
 *
 * @throws SpecValidationError listing every issue.
 */
export function defineSluiceConfig(config: SluiceConfigInput): SluiceConfigInput {
  const result = SluiceConfigSchema.safeParse(config);
  if (!result.success) {
    throw new SpecValidationError(
      'sluice config',
      toSpecIssues(config, result.error, [], SluiceConfigSchema),
    );
  }
  return config;
}
