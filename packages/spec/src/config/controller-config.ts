import { isIP } from 'node:net';
import { z } from 'zod';
import { durationMs, durationSchema } from '../duration.js';
import { LOG_LEVELS } from './agent-config.js';

const port = z.number().int().min(1).max(65535);

/** An IP address to bind (`0.0.0.0`, `127.0.0.1`, `::`), never a host name: binding must not depend on DNS. */
const ipAddress = z.string().refine((value) => isIP(value) !== 0, {
  message: 'must be an IP address such as 0.0.0.0, 127.0.0.1 or ::',
});

/** A Secret name in the controller's namespace (DNS subdomain). */
const secretName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: 'must be a Secret name (DNS subdomain)' })
  .max(253);

/** How AgentSync authenticates agents; see {@link resolveAgentAuth} for the default. */
export const AGENT_AUTH_MODES = ['none', 'token', 'kubernetes'] as const;
export type AgentAuthMode = (typeof AGENT_AUTH_MODES)[number];

/** The audience agents' projected service-account tokens carry, and the one TokenReview asks for. */
export const AGENT_TOKEN_AUDIENCE = 'sluice-controller';

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
    bindAddress: ipAddress
      .optional()
      .describe(
        'Address AgentSync and the probes/metrics listener bind. Unset: 0.0.0.0, except AgentSync with agentAuth none, which then binds 127.0.0.1.',
      ),
    apiPort: port.default(8092).describe('The /v1 API, on a listener of its own.'),
    apiBindAddress: ipAddress
      .optional()
      .describe(
        'Address the /v1 API binds. Unset: 127.0.0.1 without an API token, bindAddress (else 0.0.0.0) with one. A non-loopback address without a token is refused at start.',
      ),
    apiAllowedHosts: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$/, { message: 'must be a host name' })
          .max(253),
      )
      .max(64)
      .default([])
      .describe(
        'Host names the API answers besides localhost and IP addresses (the controller Service names); any other Host header is refused (DNS rebinding).',
      ),
    apiTokenSecret: secretName
      .optional()
      .describe(
        'Secret (key `token`) holding the API token; created at run time with 32 random bytes when absent, and read. Needs the Kubernetes API. SLUICE_CONTROLLER_API_TOKEN wins over it.',
      ),
    recordKeySecret: secretName
      .optional()
      .describe(
        'Secret (key `record-key`) agents mount to sign decision records; created at run time with 32 random bytes when absent. Needs the Kubernetes API.',
      ),
    agentAuth: z
      .enum(AGENT_AUTH_MODES)
      .optional()
      .describe(
        'How AgentSync authenticates agents: token (agentTokenFile), kubernetes (TokenReview of the projected service-account token) or none. Unset: kubernetes with kubernetes: true, else token with agentTokenFile, else none.',
      ),
    agentTokenFile: z
      .string()
      .min(1)
      .optional()
      .describe('File holding the token agents present with agentAuth token (re-read on every change).'),
    controlPointExpiry: durationSchema(
      'How long a control point without traffic stays in the agent directory (and /v1/control-points); expired ones are swept on a timer.',
    ).default('60s'),
    agentServiceAccount: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
        message: 'must be NAMESPACE/NAME of a service account',
      })
      .optional()
      .describe(
        'The service account agents run as (NAMESPACE/NAME), the only one agentAuth kubernetes admits.',
      ),
  })
  .strict()
  .superRefine((config, context) => {
    const agentAuth = resolveAgentAuth(config);
    if (agentAuth === 'token' && config.agentTokenFile === undefined)
      context.addIssue({
        code: 'custom',
        path: ['agentTokenFile'],
        message: 'is required with agentAuth token: the file holding the token agents present',
      });
    if (agentAuth === 'kubernetes' && config.agentServiceAccount === undefined)
      context.addIssue({
        code: 'custom',
        path: ['agentServiceAccount'],
        message:
          "is required with agentAuth kubernetes (the default with kubernetes: true): NAMESPACE/NAME of the agents' service account, e.g. sluice-system/sluice-agent; or set agentAuth",
      });
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

/**
 * The agent authentication in force: `agentAuth` when set, else `kubernetes` in Kubernetes mode, else
 * `token` when an agent token file is configured, else `none`.
 */
export function resolveAgentAuth(config: {
  readonly agentAuth?: AgentAuthMode | undefined;
  readonly kubernetes: boolean;
  readonly agentTokenFile?: string | undefined;
}): AgentAuthMode {
  if (config.agentAuth !== undefined) return config.agentAuth;
  if (config.kubernetes) return 'kubernetes';
  return config.agentTokenFile !== undefined ? 'token' : 'none';
}

export type ControllerConfig = z.output<typeof ControllerConfigSchema>;
export type ControllerConfigInput = z.input<typeof ControllerConfigSchema>;
