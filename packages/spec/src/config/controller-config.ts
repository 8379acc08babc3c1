import { z } from 'zod';
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
  })
  .strict();

export type ControllerConfig = z.output<typeof ControllerConfigSchema>;
export type ControllerConfigInput = z.input<typeof ControllerConfigSchema>;
