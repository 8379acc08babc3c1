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
        http: portSchema(8091, 'HTTP API, /metrics, /healthz, /readyz.'),
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
          'Secret holding the bearer token the HTTP API requires. Unset: the API needs no token.',
        ).optional(),
        key: secretKeySchema('token', 'Key of the token in existingSecret.'),
      })
      .strict()
      .prefault({})
      .describe('Bearer token for the HTTP API (sluicectl).'),
  })
  .strict();

export type ControllerValues = z.output<typeof ControllerValuesSchema>;
export type ControllerValuesInput = z.input<typeof ControllerValuesSchema>;
