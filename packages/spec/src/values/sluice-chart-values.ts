import { z } from 'zod';
import { AgentValuesSchema } from './agent-values.js';
import { ControllerValuesSchema } from './controller-values.js';
import { MonitoringValuesSchema } from './monitoring-values.js';
import { NetworkPolicyValuesSchema } from './network-policy-values.js';

/** Overrides of Helm's fullname rule, as every conventional chart offers them. */
const nameOverrides = {
  nameOverride: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .max(40)
    .optional()
    .describe('Replaces the chart name in object names. Unset: the chart name.'),
  fullnameOverride: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .max(40)
    .optional()
    .describe("Replaces <release>-<chart> in object names. Unset: Helm's fullname rule."),
};

/** Values of the `sluice` chart: the agent and the controller, each switchable. */
export const SluiceChartValuesSchema = z
  .object({
    ...nameOverrides,
    agent: AgentValuesSchema.extend({
      enabled: z.boolean().default(true).describe('Deploy the agent DaemonSet.'),
    })
      .strict()
      .prefault({})
      .describe('The node agent: ext_authz server and access-log receiver.'),
    controller: ControllerValuesSchema.extend({
      enabled: z.boolean().default(true).describe('Deploy the controller.'),
    })
      .strict()
      .prefault({})
      .describe('The controller: policies, control loop and HTTP API.'),
    monitoring: MonitoringValuesSchema.prefault({}).describe(
      'Prometheus operator and Grafana integration (all off by default).',
    ),
    networkPolicy: NetworkPolicyValuesSchema.prefault({}).describe(
      'Ingress NetworkPolicies for the agent and controller pods (off by default).',
    ),
  })
  .strict();

export type SluiceChartValues = z.output<typeof SluiceChartValuesSchema>;
export type SluiceChartValuesInput = z.input<typeof SluiceChartValuesSchema>;

/** Values of the `sluice-crds` chart. */
export const SluiceCrdsChartValuesSchema = z
  .object({
    keepOnUninstall: z
      .boolean()
      .default(true)
      .describe(
        'Annotate CRDs with helm.sh/resource-policy: keep, so uninstalling the chart never deletes every FlowPolicy.',
      ),
  })
  .strict();

export type SluiceCrdsChartValues = z.output<typeof SluiceCrdsChartValuesSchema>;
export type SluiceCrdsChartValuesInput = z.input<typeof SluiceCrdsChartValuesSchema>;

/** Facts both charts share with the package version; the generator and constructs read them from here. */
export const SLUICE_CHART_FACTS = { version: '0.1.0', appVersion: '0.1.0' } as const;
