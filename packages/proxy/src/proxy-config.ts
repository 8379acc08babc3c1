/**
 * The proxy's configuration: where it listens, the one upstream it forwards to, and the two Envoy
 * filters it reproduces (ext_authz and the OpenTelemetry access logger), with the knobs and
 * defaults of Envoy and of the istioconfig EnvoyFilter.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/http/ext_authz/v3/ext_authz.proto
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/access_loggers/open_telemetry/v3/logs_service.proto
 */
import { z } from 'zod';
import { SpecValidationError, parseWith } from '@sluice/spec';
import { parseFormatString } from './access-log-format.js';
import { DEFAULT_CREDENTIAL_HEADERS } from './header-filter.js';

/** A `host:port` gRPC target such as `127.0.0.1:8080` or `sluice-agent.sluice-system.svc.cluster.local:8080`. */
const GRPC_TARGET_PATTERN = /^[A-Za-z0-9.\-[\]:]+:[0-9]{1,5}$/;

const portSchema = z.number().int().min(0).max(65535);

const endpointSchema = z
  .object({
    /** Interface or host name. @default '127.0.0.1' */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port; 0 asks the kernel for a free one (read it back from the running proxy). @default 0 */
    port: portSchema.default(0),
  })
  .strict();

const upstreamSchema = z
  .object({
    /** Upstream host. @default '127.0.0.1' */
    host: z.string().min(1).default('127.0.0.1'),
    /** Upstream port. */
    port: portSchema.min(1),
    /**
     * The route timeout (Envoy `RouteAction.timeout`), ms: from the end of the downstream request to
     * the end of the upstream response. Past it the upstream request is reset and the client gets a
     * local 504 `upstream request timeout` (or a reset, when the response had started). 0 disables it.
     * @default 15000 (Envoy's default; Istio's sidecar routes disable it unless a VirtualService sets one)
     */
    routeTimeoutMs: z.number().int().min(0).default(15_000),
  })
  .strict();

/** Envoy's `with_request_body` block; istioconfig's defaults. */
const withRequestBodySchema = z
  .object({
    /** Bytes of body held and sent to the agent. @default 8192 */
    maxRequestBytes: z.number().int().min(1).default(8192),
    /** Send the first `maxRequestBytes` of a longer body instead of answering 413. @default true */
    allowPartialMessage: z.boolean().default(true),
    /** Send the body as `raw_body` bytes instead of the UTF-8 `body` string. @default false */
    packAsBytes: z.boolean().default(false),
  })
  .strict();

const headerNameSchema = z
  .string()
  .regex(/^:?[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: 'must be an HTTP header name' })
  .transform((name) => name.toLowerCase());

const extAuthzSchema = z
  .object({
    /** Agent gRPC target `host:port` (Envoy `grpc_service.google_grpc.target_uri`). */
    target: z.string().regex(GRPC_TARGET_PATTERN, { message: 'must be host:port' }),
    /** gRPC deadline of each Check, ms (istioconfig `authzGrpcTimeout` 0.25s). @default 250 */
    timeoutMs: z.number().int().min(1).default(250),
    /** Allow the request when the agent fails or cannot be reached. @default true */
    failureModeAllow: z.boolean().default(true),
    /** Add `x-envoy-auth-failure-mode-allowed: true` to requests allowed that way. @default false */
    failureModeAllowHeaderAdd: z.boolean().default(false),
    /** HTTP status answered on agent failure when `failureModeAllow` is false. @default 403 */
    statusOnError: z.number().int().min(100).max(599).default(403),
    /** Buffer the request body for the agent; null sends none. @default {maxRequestBytes: 8192, allowPartialMessage: true, packAsBytes: false} */
    withRequestBody: withRequestBodySchema.nullable().prefault({}),
    /** When set, only these headers (plus pseudo-headers, host and content-length) reach the agent. @default unset: all */
    allowedHeaders: z.array(headerNameSchema).optional(),
    /** Headers never sent to the agent; wins over `allowedHeaders`, as in Envoy. @default [] */
    disallowedHeaders: z.array(headerNameSchema).default([]),
    /** Credential headers withheld from the agent unless named in `allowedHeaders`. @default {@link DEFAULT_CREDENTIAL_HEADERS} */
    credentialHeaders: z.array(headerNameSchema).default([...DEFAULT_CREDENTIAL_HEADERS]),
    /** Value of the control-point gRPC metadata (istioconfig: `ingress` inbound, `egress` outbound). @default 'ingress' */
    controlPoint: z.string().min(1).default('ingress'),
    /** Name of that metadata entry (`grpc_service.initial_metadata` key). @default 'control-point' */
    controlPointMetadataKey: z
      .string()
      .regex(/^[a-z0-9_.-]+$/, { message: 'must be a lower-case gRPC metadata key' })
      .default('control-point'),
    /** `attributes.context_extensions` (Envoy per-route settings). @default {} */
    contextExtensions: z.record(z.string(), z.string()).default({}),
  })
  .strict();

/** The 11 attributes of the istioconfig access log (aperture.md §1.3), key → Envoy format string. */
export const APERTURE_ACCESS_LOG_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({
  'aperture.source': 'envoy',
  'aperture.check_response': '%DYNAMIC_METADATA(envoy.filters.http.ext_authz:aperture.check_response)%',
  'http.status_code': '%RESPONSE_CODE%',
  authz_duration: '%DYNAMIC_METADATA(envoy.filters.http.ext_authz:ext_authz_duration)%',
  BYTES_RECEIVED: '%BYTES_RECEIVED%',
  BYTES_SENT: '%BYTES_SENT%',
  DURATION: '%DURATION%',
  REQUEST_DURATION: '%REQUEST_DURATION%',
  REQUEST_TX_DURATION: '%REQUEST_TX_DURATION%',
  RESPONSE_DURATION: '%RESPONSE_DURATION%',
  RESPONSE_TX_DURATION: '%RESPONSE_TX_DURATION%',
});

/** A format string checked at parse time, so a typo fails at startup instead of logging `-` forever. */
const formatStringSchema = z.string().superRefine((value, context) => {
  try {
    parseFormatString(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

const accessLogSchema = z
  .object({
    /** OTLP LogsService gRPC target `host:port`; usually the agent's. */
    target: z.string().regex(GRPC_TARGET_PATTERN, { message: 'must be host:port' }),
    /** `common_config.log_name`, sent as the resource attribute `log_name`. @default 'ingress' */
    logName: z.string().min(1).default('ingress'),
    /** Flush a batch at least this often, ms (Envoy `buffer_flush_interval`). @default 1000 */
    bufferFlushIntervalMs: z.number().int().min(1).default(1000),
    /** Flush once a batch's approximate encoded size reaches this, bytes (Envoy `buffer_size_bytes`). @default 16384 */
    bufferSizeBytes: z.number().int().min(1).default(16384),
    /** gRPC deadline of each Export, ms. @default 5000 */
    exportTimeoutMs: z.number().int().min(1).default(5000),
    /** Log record body format (istioconfig: the method). @default '%REQ(:METHOD)%' */
    body: formatStringSchema.default('%REQ(:METHOD)%'),
    /** Attribute key → format string. @default {@link APERTURE_ACCESS_LOG_ATTRIBUTES} */
    attributes: z
      .record(z.string().min(1), formatStringSchema)
      .default({ ...APERTURE_ACCESS_LOG_ATTRIBUTES }),
  })
  .strict();

export const ProxyConfigSchema = z
  .object({
    /** Where clients connect. @default {host: '127.0.0.1', port: 0} */
    listen: endpointSchema.prefault({}),
    /** The one upstream every request is forwarded to. */
    upstream: upstreamSchema,
    /** Admin endpoint (`/stats`, `/metrics`, `/healthz`); null runs none. @default {host: '127.0.0.1', port: 0} */
    admin: endpointSchema.nullable().prefault({}),
    /** The ext_authz filter. */
    extAuthz: extAuthzSchema,
    /** The OpenTelemetry access logger; null sends no logs. @default null */
    accessLog: accessLogSchema.nullable().default(null),
  })
  .strict();

/** Raw input, as written in a file or passed by a test. */
export type ProxyConfigInput = z.input<typeof ProxyConfigSchema>;
/** Validated config with every default resolved. */
export type ProxyConfig = z.output<typeof ProxyConfigSchema>;
export type ExtAuthzConfig = ProxyConfig['extAuthz'];
export type AccessLogConfig = NonNullable<ProxyConfig['accessLog']>;
export type WithRequestBodyConfig = NonNullable<ExtAuthzConfig['withRequestBody']>;

/**
 * Validates raw input and resolves defaults.
 *
 * @throws SpecValidationError listing each bad path, its value and what is allowed.
 */
export function parseProxyConfig(input: unknown, source = 'proxy configuration'): ProxyConfig {
  const result = parseWith(ProxyConfigSchema, input);
  if (!result.ok) throw new SpecValidationError(source, result.issues);
  return result.value;
}
