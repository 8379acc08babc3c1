import { z } from 'zod';
import { CONTROLLER_ADDRESS_MESSAGE, controllerAddressPattern } from '../config/agent-config.js';
import {
  imageSchema,
  LogLevelSchema,
  objectNameSchema,
  portSchema,
  resourcesSchema,
  secretKeySchema,
  TolerationSchema,
} from './chart-values-common.js';

/**
 * Install-time choices for the Sluice agent (the `agent` block of the `sluice` chart, and the props of the
 * `SluiceAgent` construct). Everything else about the DaemonSet is fixed by the construct.
 */
export const AgentValuesSchema = z
  .object({
    image: imageSchema('ghcr.io/sluice-dev/sluice-agent'),
    ports: z
      .object({
        grpc: portSchema(8080, 'ext_authz Check and OTLP access logs (gRPC); Envoy dials it.'),
        http: portSchema(8081, '/metrics, /healthz, /readyz.'),
      })
      .strict()
      .prefault({})
      .describe('Container and Service ports.'),
    resources: resourcesSchema({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    }),
    tolerations: z
      .array(TolerationSchema)
      .default([{ operator: 'Exists' }])
      .describe(
        'Pod tolerations. Default: tolerate every taint, because a node without an agent fails open.',
      ),
    priorityClassName: z
      .string()
      .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/)
      .max(253)
      .default('system-node-critical')
      .describe(
        'Priority class of agent pods; empty for none. system-node-critical and system-cluster-critical come with a ResourceQuota scoped to the class: GKE (and any API server with limitedResources for these classes) admits them outside kube-system only under such a quota.',
      ),
    maxSurge: z
      .string()
      .regex(/^([1-9][0-9]?|100)%$/, { message: 'must be a percentage from 1% to 100%, e.g. 10%' })
      .default('10%')
      .describe(
        'Nodes whose new agent starts beside the old one at once during a rollout. A percentage, so 300 nodes roll in 10 waves rather than 300 (a one-node-at-a-time rollout outlasts Helm --wait and Flux timeouts past ~30 nodes).',
      ),
    drainSeconds: z
      .number()
      .int()
      .min(0)
      .max(300)
      .default(5)
      .describe(
        "After SIGTERM the agent keeps serving this long with /readyz failing, so Envoy sees the endpoint go before it drains its streams (the agent's drainDelaySeconds; no preStop hook, which Kubernetes 1.28 lacks).",
      ),
    terminationGracePeriodSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(30)
      .describe('Time from SIGTERM to SIGKILL, covering drainSeconds and the gRPC drain (10 s).'),
    agentGroup: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .max(63)
      .default('default')
      .describe('Agent group this agent serves; policies select it.'),
    logLevel: LogLevelSchema,
    defaultControlPoint: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, { message: 'must be a control point name such as ingress' })
      .optional()
      .describe(
        "Control point for Checks that carry none. Unset: such Checks are refused (and Envoy fails open). Set it (e.g. ingress) for istioconfig's extensionProvider mode, whose CUSTOM ext_authz sends no metadata.",
      ),
    controllerAddress: z
      .string()
      .regex(controllerAddressPattern('[A-Za-z0-9.-]'), { message: CONTROLLER_ADDRESS_MESSAGE })
      .optional()
      .describe(
        "Controller AgentSync address: HOST:PORT, dns:///HOST:PORT (every Ready replica behind a headless Service, tried in turn to find the leader) or ipv4:IP:PORT,IP:PORT. Unset: this release's controller, <fullname>-controller.<namespace>.svc:<grpc port>, or with controller.replicas > 1 dns:///<fullname>-controller-peers.<namespace>.svc:<grpc port>.",
      ),
    redis: z
      .object({
        url: z
          .string()
          .regex(/^rediss?:\/\/[A-Za-z0-9.-]+:[0-9]{1,5}(\/[0-9]+)?$/, {
            message: 'must be redis://HOST:PORT[/DB] without credentials',
          })
          .optional()
          .describe('Redis for global rate limits. Unset: each agent keeps local token buckets.'),
        existingSecret: objectNameSchema(
          'Secret holding Redis credentials. Unset: connect without credentials.',
        ).optional(),
        usernameKey: secretKeySchema(
          'username',
          'Key of the user name in existingSecret (optional in the Secret).',
        ),
        passwordKey: secretKeySchema('password', 'Key of the password in existingSecret.'),
      })
      .strict()
      .prefault({})
      .describe('Global rate-limit store.'),
    recordKey: z
      .object({
        existingSecret: objectNameSchema(
          'Secret you create holding the key that signs decision records (shared by every agent pod of a node). Unset: the Secret <fullname>-record-key the controller creates at run time (32 random bytes) if absent.',
        ).optional(),
        key: secretKeySchema('record-key', 'Key of the record key in existingSecret.'),
      })
      .strict()
      .prefault({})
      .describe('Key that signs decision records; agents mount it as a file.'),
  })
  .strict();

export type AgentValues = z.output<typeof AgentValuesSchema>;
export type AgentValuesInput = z.input<typeof AgentValuesSchema>;
