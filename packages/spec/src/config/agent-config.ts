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

/**
 * The controller address forms the agent accepts, as gRPC target names: `HOST:PORT` (one address, such as
 * a Service's), `dns:///HOST:PORT` (every address the name resolves to, such as a headless Service's
 * Ready pods), and `ipv4:IP:PORT,IP:PORT…` / `ipv6:[IP]:PORT,…` (a fixed list). The agent balances its
 * Connects round robin over what the target gives, so with several controller replicas it finds the
 * leader by trying them. `host` is the character class of a host name (RE2, for the chart schema too).
 * @see https://github.com/grpc/grpc/blob/master/doc/naming.md
 */
export function controllerAddressPattern(host: string): RegExp {
  const hostPort = `${host}+:[0-9]{1,5}`;
  const ipv4 = '[0-9]{1,3}(\\.[0-9]{1,3}){3}:[0-9]{1,5}';
  const ipv6 = '\\[[0-9A-Fa-f:.]+\\]:[0-9]{1,5}';
  return new RegExp(`^(${hostPort}|dns:///${hostPort}|ipv4:${ipv4}(,${ipv4})*|ipv6:${ipv6}(,${ipv6})*)$`);
}

/** The message of a controller address that matches none of the forms. */
export const CONTROLLER_ADDRESS_MESSAGE =
  'must be HOST:PORT, dns:///HOST:PORT, ipv4:IP:PORT[,IP:PORT…] or ipv6:[IP]:PORT[,[IP]:PORT…]';

export const AgentConfigSchema = z
  .object({
    grpcPort: port.default(8080).describe('ext_authz Check and OTLP logs (gRPC).'),
    httpPort: port.default(8081).describe('/metrics, /healthz, /readyz, /v1/control-points.'),
    controller: z
      .string()
      .regex(controllerAddressPattern('[A-Za-z0-9._-]'), { message: CONTROLLER_ADDRESS_MESSAGE })
      .optional()
      .describe(
        'Controller AgentSync address (HOST:PORT, dns:///HOST:PORT, ipv4:IP:PORT,IP:PORT…); with several addresses the agent tries them in turn to find the leader. Without it the agent admits everything.',
      ),
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
    accessLogMaxRecordsPerSecond: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .default(20_000)
      .describe(
        'Access-log records the agent processes per second (one second of them as burst); the excess is dropped and counted, so a flood of logs cannot starve Checks on the same thread.',
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
    controllerTokenFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'File holding the credential sent to the controller (`authorization: Bearer <token>` on every Connect; re-read on every attempt, as kubelet rotates projected tokens). Unset: none is sent.',
      ),
    recordKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'File holding the key that signs decision records (the record-key Secret every agent pod of a node mounts). Unset: an ephemeral random key.',
      ),
  })
  .strict();

export type AgentConfig = z.output<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
