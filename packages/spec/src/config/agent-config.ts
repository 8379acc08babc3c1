import { z } from 'zod';

const port = z.number().int().min(1).max(65535);

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Redis URL without credentials: credentials come only from the environment (REDIS_USERNAME / REDIS_PASSWORD). */
export const redisUrlSchema = z
  .string()
  .regex(/^rediss?:\/\/[^@/]+(\/[0-9]+)?$/, {
    message:
      'must be redis://HOST:PORT[/DB] or rediss://… with no credentials (set REDIS_PASSWORD in the environment)',
  });

export const AgentConfigSchema = z
  .object({
    grpcPort: port.default(8080).describe('ext_authz Check and OTLP logs (gRPC).'),
    httpPort: port.default(8081).describe('/metrics, /healthz, /readyz, /v1/control-points.'),
    controller: z
      .string()
      .regex(/^[A-Za-z0-9.\-_]+:[0-9]{1,5}$/, { message: 'must be HOST:PORT' })
      .optional()
      .describe('Controller AgentSync address; without it the agent admits everything.'),
    agentGroup: z.string().min(1).default('default').describe('Agent group this agent serves.'),
    redisUrl: redisUrlSchema.optional().describe('Redis for global rate limits; local buckets when unset.'),
    redisCallTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(60_000)
      .default(50)
      .describe('Per-call Redis timeout; past it the local bucket decides (counted as fallback).'),
    reportIntervalMs: z
      .number()
      .int()
      .min(100)
      .max(10_000)
      .default(1000)
      .describe(
        'How often the agent reports flux meters and token counters to the controller. Shorter reacts sooner to overload (the control loop sees latency one report later at most), at more messages per second.',
      ),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    defaultControlPoint: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Control point for Checks that carry none (Istio CUSTOM ext_authz providers send no metadata).',
      ),
    previewRedactedHeaders: z
      .array(z.string())
      .default(['authorization', 'cookie', 'set-cookie', 'x-api-key', 'proxy-authorization'])
      .describe('Headers replaced by <redacted> in preview samples.'),
  })
  .strict();

export type AgentConfig = z.output<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
