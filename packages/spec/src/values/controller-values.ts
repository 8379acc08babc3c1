import { z } from 'zod';
import {
  imageSchema,
  LogLevelSchema,
  objectNameSchema,
  portSchema,
  resourcesSchema,
  secretKeySchema,
} from './chart-values-common.js';

/**
 * Install-time choices for the Sluice controller (the `controller` block of the `sluice` chart, and the
 * props of the `SluiceController` construct).
 */
export const ControllerValuesSchema = z
  .object({
    image: imageSchema('ghcr.io/sluice-dev/sluice-controller'),
    replicas: z
      .number()
      .int()
      .min(1)
      .max(5)
      .default(1)
      .describe(
        'Controller pods. 1: one controller, no leader election. More: the pods elect a leader through the coordination.k8s.io Lease <fullname>-controller and only the leader steers agents; the Role then allows that Lease.',
      ),
    ports: z
      .object({
        grpc: portSchema(8090, 'AgentSync (gRPC); agents dial it.'),
        http: portSchema(8091, '/metrics, /healthz, /readyz (kubelet and Prometheus reach it by pod IP).'),
        api: portSchema(
          8092,
          'The /v1 API sluicectl uses, on a listener of its own; it always needs the token.',
        ),
      })
      .strict()
      .prefault({})
      .describe('Container and Service ports.'),
    resources: resourcesSchema({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    }),
    logLevel: LogLevelSchema,
    apiToken: z
      .object({
        existingSecret: objectNameSchema(
          'Secret you create holding the bearer token the API requires. Unset: the controller creates the Secret <fullname>-controller-api-token (key token, 32 random bytes) at run time if absent and reads it; Helm never renders a token.',
        ).optional(),
        key: secretKeySchema('token', 'Key of the token in existingSecret.'),
      })
      .strict()
      .prefault({})
      .describe('Bearer token the /v1 API (sluicectl) requires.'),
  })
  .strict();

export type ControllerValues = z.output<typeof ControllerValuesSchema>;
export type ControllerValuesInput = z.input<typeof ControllerValuesSchema>;
