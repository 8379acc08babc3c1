/**
 * Where Sluice's .proto files live and which entry files the loader reads.
 *
 * Two sources share one include path, so an `import` in any file resolves the
 * same way for protobufjs, @grpc/proto-loader and protoc:
 * - `packages/spec/protos`: our sync protocol and the OTLP protos at their
 *   canonical paths (Envoy's OpenTelemetry access-log config imports
 *   `opentelemetry/proto/common/v1/common.proto`, which we provide);
 * - the Envoy, xDS, googleapis and protoc-gen-validate trees vendored in
 *   `@grpc/grpc-js-xds/deps`.
 *
 * `google/protobuf/*.proto` is not on disk: protobufjs bundles the well-known
 * types (see `proto-loader.ts`).
 *
 * `@grpc/grpc-js-xds` is resolved on first use ({@link protoIncludeDirs}), not when this module is
 * imported: importing `@sluice/spec/protos` costs no package lookup until a loader runs.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of `packages/spec/protos`. This file sits two levels below the
 * package root both as source (`src/proto/proto-paths.ts`) and compiled
 * (`dist/proto/proto-paths.js`), so `../../protos` works for both.
 */
export const SLUICE_PROTOS_DIR: string = fileURLToPath(new URL('../../protos', import.meta.url));

let includeDirs: string[] | undefined;

/**
 * Absolute path of `@grpc/grpc-js-xds/deps`, resolved the way Node resolves the dependency, on
 * every call (callers cache: {@link protoIncludeDirs}).
 *
 * @throws Error naming the package and why the Envoy protos are needed when it cannot be resolved.
 */
function grpcXdsDepsDir(): string {
  let packageJson: string;
  try {
    packageJson = fileURLToPath(import.meta.resolve('@grpc/grpc-js-xds/package.json'));
  } catch (error) {
    throw new Error(
      `cannot resolve @grpc/grpc-js-xds, which vendors the Envoy, xDS, googleapis and protoc-gen-validate protos ` +
        `Sluice loads (a dependency of @sluice/spec): ${(error as Error).message}`,
    );
  }
  return join(dirname(packageJson), 'deps');
}

/**
 * Include directories for every proto Sluice loads, in search order: ours
 * first, then Envoy's API, xDS (udpa/xds annotations), googleapis
 * (google/rpc, google/api) and protoc-gen-validate (validate/validate.proto).
 * Resolved on the first call and cached. Typed `string[]` so it can be passed
 * straight to APIs that take one (proto-loader's `includeDirs`); frozen, so
 * pushing to it throws.
 *
 * @throws Error when `@grpc/grpc-js-xds` cannot be resolved (see {@link grpcXdsDepsDir}).
 */
export function protoIncludeDirs(): string[] {
  if (includeDirs === undefined) {
    const deps = grpcXdsDepsDir();
    includeDirs = Object.freeze([
      SLUICE_PROTOS_DIR,
      join(deps, 'envoy-api'),
      join(deps, 'xds'),
      join(deps, 'googleapis'),
      join(deps, 'protoc-gen-validate'),
    ]) as string[];
  }
  return includeDirs;
}

/** Envoy ext_authz v3: service `envoy.service.auth.v3.Authorization`, rpc `Check`. */
export const EXT_AUTHZ_PROTO = 'envoy/service/auth/v3/external_auth.proto';

/** OTLP logs export: service `opentelemetry.proto.collector.logs.v1.LogsService`, rpc `Export`. */
export const OTLP_LOGS_SERVICE_PROTO = 'opentelemetry/proto/collector/logs/v1/logs_service.proto';

/** Sluice sync protocol: service `sluice.sync.v1.AgentSync`, rpc `Connect`. */
export const AGENT_SYNC_PROTO = 'sluice/sync/v1/sync.proto';

/**
 * Envoy's OpenTelemetry access-log config
 * (`envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig`),
 * used to check EnvoyFilter patch values; it imports our OTLP common.proto.
 */
export const ENVOY_OTEL_ACCESS_LOG_PROTO =
  'envoy/extensions/access_loggers/open_telemetry/v3/logs_service.proto';

/** The entry files the loader reads; everything they import comes along. */
export const PROTO_FILES: readonly string[] = Object.freeze([
  EXT_AUTHZ_PROTO,
  OTLP_LOGS_SERVICE_PROTO,
  AGENT_SYNC_PROTO,
  ENVOY_OTEL_ACCESS_LOG_PROTO,
]);

/**
 * Envoy configuration protos that EnvoyFilter patch values are checked against: the HTTP connection
 * manager (and its HttpFilter), the ext_authz and router filter configs, the OpenTelemetry access
 * logger, and Listener (for connection_balance_config). Loaded only by tooling, never on the data path.
 */
export const ENVOY_CONFIG_PROTO_FILES: readonly string[] = Object.freeze([
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/config/listener/v3/listener.proto',
  ENVOY_OTEL_ACCESS_LOG_PROTO,
]);
