import { z } from 'zod';
import { CONTROL_POINT_PATTERN, CONTROL_POINT_RULE } from '../flow-policy/flow-names.js';
import { SYNC_MAX_MESSAGE_BYTES } from '../proto/sync-limits.js';

const port = z.number().int().min(1).max(65535);

/**
 * Headers whose values are credentials or session secrets: replaced by <redacted> in previews, and so
 * is any label a classifier takes from them. Matched case-insensitively.
 */
export const DEFAULT_REDACTED_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'x-amz-security-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-session-token',
  'x-goog-iap-jwt-assertion',
  'x-forwarded-client-cert',
] as const;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Redis URL without credentials: credentials come only from the environment (REDIS_USERNAME / REDIS_PASSWORD). */
export const redisUrlSchema = z.string().regex(/^rediss?:\/\/[^@/]+(\/[0-9]+)?$/, {
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
    drainDelaySeconds: z
      .number()
      .int()
      .min(0)
      .max(300)
      .default(0)
      .describe(
        'On SIGTERM, seconds the agent keeps serving Checks while /readyz answers 503, so Envoy and kube-proxy drop the endpoint before the gRPC drain starts (what a preStop sleep did, without needing Kubernetes 1.30).',
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
    accessLogMaxRecordsPerSecondPerPeer: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .optional()
      .describe(
        "Records per second one sender (peer IP) may have read while the agent's access-log budget is contended (less than half a second of it left); its excess is dropped and counted. Unset: a fair share, accessLogMaxRecordsPerSecond divided by the peers that sent in the last 10 s.",
      ),
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
        'File holding the key (16 to 4096 bytes, used as they are) that signs decision records; every agent on a node must read the same one. Re-read every 5 s; the key before the current one is still accepted (rotation). Unset or missing: an ephemeral random key, warned in the log and exported as sluice_agent_record_key_ephemeral.',
      ),
    acceptV1Records: z
      .boolean()
      .default(false)
      .describe(
        'Read unsigned v1 decision records (agents of version 0.1) in access logs. Anyone who reaches the gRPC port can forge a v1 record, so turn it on only while upgrading from 0.1, and off again once every sidecar carries v2 records.',
      ),
    maxRecordAgeMs: z
      .number()
      .int()
      .min(1_000)
      .max(3_600_000)
      .default(300_000)
      .describe(
        'Decision records whose Check started longer ago than this are refused. It bounds the memory of nonces already seen: 16 bytes per record read per second, per second of this age.',
      ),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    defaultControlPoint: z
      .string()
      .regex(new RegExp(CONTROL_POINT_PATTERN), { message: `must be a control point: ${CONTROL_POINT_RULE}` })
      .optional()
      .describe(
        'Control point for Checks that carry none (Istio CUSTOM ext_authz providers send no metadata).',
      ),
    previewRedactedHeaders: z
      .array(z.string())
      .default([...DEFAULT_REDACTED_HEADERS])
      .describe(
        'Headers (any case) replaced by <redacted> in preview samples; labels a classifier takes from them are redacted too, in previews and in the telemetry labels Envoy logs.',
      ),
    bindAddress: z
      .string()
      .regex(/^[0-9A-Fa-f.:]+$/, {
        message: 'must be an IPv4 or IPv6 address such as 0.0.0.0, 127.0.0.1 or ::',
      })
      .default('0.0.0.0')
      .describe('Address both listeners (gRPC and HTTP) bind to.'),
    maxRequestHeadersKb: z
      .number()
      .int()
      .min(1)
      .max(8192)
      .default(60)
      .describe(
        "Envoy's max_request_headers_kb (its default 60): with maxRequestBytes and a fixed margin it sets the agent's gRPC receive limit.",
      ),
    maxRequestBytes: z
      .number()
      .int()
      .min(0)
      .max(64 * 1024 * 1024)
      .default(8192)
      .describe(
        'The body Envoy buffers for ext_authz (with_request_body.max_request_bytes); part of the gRPC receive limit.',
      ),
    maxConcurrentStreams: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(1024)
      .describe(
        'HTTP/2 streams (in-flight Checks and Exports) one connection may hold; past it the client waits for a free stream.',
      ),
    previewMaxConcurrent: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(8)
      .describe('Previews an agent runs at once; more are refused with an error in the answer.'),
    previewMaxSampleBytes: z
      .number()
      .int()
      .min(1024)
      .max(SYNC_MAX_MESSAGE_BYTES / 2)
      .default(512 * 1024)
      .describe(
        'Bytes of samples one preview may collect; it ends when the next sample would pass this, with an error saying so.',
      ),
  })
  .strict();

export type AgentConfig = z.output<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
