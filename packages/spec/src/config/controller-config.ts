import { z } from 'zod';
import { durationMs, durationSchema } from '../duration.js';
import { LOG_LEVELS } from './agent-config.js';

const port = z.number().int().min(1).max(65535);

export const ControllerConfigSchema = z
  .object({
    grpcPort: port.default(8090).describe('AgentSync (gRPC).'),
    httpPort: port.default(8091).describe('HTTP API, /metrics, /healthz, /readyz.'),
    policies: z
      .string()
      .min(1)
      .optional()
      .describe('Directory of FlowPolicy YAML files to watch (file mode).'),
    stateDir: z.string().min(1).optional().describe('Where file mode persists control-loop baselines.'),
    kubernetes: z
      .boolean()
      .default(false)
      .describe('Watch FlowPolicy resources in the controller namespace.'),
    namespace: z.string().min(1).default('sluice-system').describe('Namespace watched in Kubernetes mode.'),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    leaderElection: z
      .boolean()
      .default(false)
      .describe(
        'Elect a leader through a coordination.k8s.io Lease (several replicas); only the leader serves agents and writes status.',
      ),
    leaseName: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: 'must be a DNS subdomain name' })
      .max(253)
      .default('sluice-controller')
      .describe('Name of the Lease, in the namespace of POD_NAMESPACE (else `namespace`).'),
    leaseDuration: durationSchema(
      'How long followers wait, from the last change they saw, before taking the Lease (whole seconds).',
    ).default('8s'),
    renewDeadline: durationSchema(
      'How long the leader keeps leading without a successful renewal; must be shorter than leaseDuration.',
    ).default('6s'),
    retryPeriod: durationSchema('Between two attempts to acquire or renew the Lease.').default('2s'),
  })
  .strict()
  .superRefine((config, context) => {
    // The rules of client-go's NewLeaderElector, plus the Lease's whole-second duration field.
    const lease = durationMs(config.leaseDuration);
    const renew = durationMs(config.renewDeadline);
    const retry = durationMs(config.retryPeriod);
    if (lease < 1000 || lease % 1000 !== 0)
      context.addIssue({
        code: 'custom',
        path: ['leaseDuration'],
        message: 'must be a whole number of seconds, at least 1s (Lease.spec.leaseDurationSeconds)',
      });
    if (renew >= lease)
      context.addIssue({
        code: 'custom',
        path: ['renewDeadline'],
        message: `must be shorter than leaseDuration (${config.leaseDuration}), or a leader could act after followers took over`,
      });
    if (retry <= 0 || renew <= retry * 1.2)
      context.addIssue({
        code: 'custom',
        path: ['retryPeriod'],
        message: `must be above 0 and renewDeadline (${config.renewDeadline}) must exceed 1.2 × retryPeriod, so a failed renewal is retried before the deadline`,
      });
  });

export type ControllerConfig = z.output<typeof ControllerConfigSchema>;
export type ControllerConfigInput = z.input<typeof ControllerConfigSchema>;
