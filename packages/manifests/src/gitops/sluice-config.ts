import { z } from 'zod';
import { FlowPolicySchema } from '@sluice/spec';

/**
 * A whole Sluice installation as one document: what `sluicectl synth` reads from a YAML/JSON file, or from
 * a `sluice.config.ts` whose default export is `defineSluiceConfig({...})`. Each component's `values` are
 * exactly its chart's values, so the same document drives plain manifests and Helm releases.
 */
const open = z.record(z.string(), z.unknown());

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
        values: open.default({}).describe('sluice-crds chart values.'),
      })
      .strict()
      .prefault({}),
    sluice: z
      .object({ values: open.default({}).describe('sluice chart values (agent and controller).') })
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
        values: open.default({}).describe('istioconfig chart values.'),
      })
      .strict()
      .prefault({}),
    tenantGateways: z
      .object({
        enabled: z.boolean().default(false),
        release: z.string().min(1).default('tenant-gateways'),
        namespace: z.string().min(1).default('istio-ingress'),
        values: open.default({}).describe('tenant-gateways chart values.'),
      })
      .strict()
      .prefault({}),
    policies: z.array(FlowPolicySchema).default([]).describe('FlowPolicy resources to install.'),
  })
  .strict();

export type SluiceConfig = z.output<typeof SluiceConfigSchema>;
export type SluiceConfigInput = z.input<typeof SluiceConfigSchema>;

/** Identity function that gives a `sluice.config.ts` its types. */
export function defineSluiceConfig(config: SluiceConfigInput): SluiceConfigInput {
  return config;
}
