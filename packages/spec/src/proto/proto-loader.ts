/**
 * The one place Sluice loads .proto files, for gRPC and for raw protobuf.
 *
 * Both loaders read the same entry files ({@link PROTO_FILES}) on the same
 * include path ({@link protoIncludeDirs}) and are built once per process,
 * on first use (parsing Envoy's tree takes roughly 0.1 s).
 */
import { createRequire } from 'node:module';
import { accessSync, constants as fsConstants } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import {
  loadPackageDefinition,
  type GrpcObject,
  type ProtobufTypeDefinition,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import { loadSync, type Options as ProtoLoaderOptions } from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import type { Root } from 'protobufjs';
import { ENVOY_CONFIG_PROTO_FILES, PROTO_FILES, protoIncludeDirs } from './proto-paths.js';

const require = createRequire(import.meta.url);

/**
 * How @grpc/proto-loader shapes messages (the include path is added by
 * {@link protoLoaderOptions}). Every gRPC handler and client in Sluice sees
 * messages in this shape, so code against these rules:
 *
 * - `keepCase: true`: fields keep their proto names (`context_extensions`,
 *   `resource_logs`, `load_multiplier`), never camelCase.
 * - `longs: Number`: int64/uint64/fixed64 arrive as JS numbers (exact up to
 *   2^53; OTLP's `time_unix_nano` loses sub-microsecond precision, which no
 *   Sluice logic needs). Sending accepts numbers too.
 * - `enums: String`: enum fields arrive as value names
 *   (`'CONTROL_POINT_TYPE_HTTP'`); send names or numbers.
 * - `defaults: false`: fields holding their proto3 zero value (0, '', false,
 *   empty repeated or map, unset message) are ABSENT from received objects;
 *   read with `?? 0` / `?? []`. Saves work per Check on the hot path.
 * - `oneofs: true`: each oneof also appears as a property naming the set member
 *   (`AgentMessage.payload === 'report'`, Envoy's
 *   `CheckResponse.http_response === 'ok_response'`, OTLP
 *   `AnyValue.value === 'string_value'`).
 * - `bytes` are left at proto-loader's default: Buffer.
 * - Exception to `keepCase`: protobufjs ships the google.protobuf well-known types with camelCase
 *   names, so `Struct`/`Value` (Envoy's dynamic metadata) are written `{ fields: { k: { stringValue } } }`
 *   and read back with `kind: 'stringValue'`; a snake_case `string_value` there is silently dropped.
 *
 * @see https://github.com/grpc/grpc-node/tree/master/packages/proto-loader
 */
export const PROTO_LOADER_OPTIONS: Readonly<ProtoLoaderOptions> = Object.freeze({
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
});

let loaderOptions: Readonly<ProtoLoaderOptions> | undefined;

/**
 * {@link PROTO_LOADER_OPTIONS} with `includeDirs` set to {@link protoIncludeDirs}: the options the
 * loader uses. Built on the first call (which resolves `@grpc/grpc-js-xds`) and cached.
 */
export function protoLoaderOptions(): Readonly<ProtoLoaderOptions> {
  loaderOptions ??= Object.freeze({ ...PROTO_LOADER_OPTIONS, includeDirs: protoIncludeDirs() });
  return loaderOptions;
}

let grpcPackage: GrpcObject | undefined;
let protobufRoot: Root | undefined;
let envoyConfigRoot: Root | undefined;

/**
 * The gRPC object tree for all Sluice protos, built on first call and cached.
 * Services sit at their package paths, e.g.
 * `envoy.service.auth.v3.Authorization`, `opentelemetry.proto.collector.logs.v1.LogsService`,
 * `sluice.sync.v1.AgentSync`; prefer the typed getters below.
 *
 * @throws Error if a proto file or one of its imports cannot be found or parsed.
 */
export function loadGrpcPackage(): GrpcObject {
  grpcPackage ??= loadPackageDefinition(loadSync([...PROTO_FILES], { ...protoLoaderOptions() }));
  return grpcPackage;
}

/**
 * A protobufjs Root with every Sluice proto loaded and resolved, built on
 * first call and cached. Field names are kept as in the protos (snake_case),
 * matching proto-loader. Use it to encode or decode messages by name:
 * `root.lookupType('envoy.service.auth.v3.CheckRequest')`.
 *
 * @throws Error if a proto file or one of its imports cannot be found or parsed.
 */
export function loadProtobufRoot(): Root {
  protobufRoot ??= buildRoot(PROTO_FILES);
  return protobufRoot;
}

/**
 * A separate protobufjs Root with Envoy's configuration protos ({@link ENVOY_CONFIG_PROTO_FILES}),
 * for checking EnvoyFilter patch values field by field. Kept apart from {@link loadProtobufRoot} so
 * the agent never pays for parsing them.
 */
export function loadEnvoyConfigRoot(): Root {
  envoyConfigRoot ??= buildRoot([...PROTO_FILES, ...ENVOY_CONFIG_PROTO_FILES]);
  return envoyConfigRoot;
}

function buildRoot(files: readonly string[]): Root {
  registerBundledWellKnownProtos();
  const root = new protobuf.Root();
  root.resolvePath = resolveOnIncludePath;
  root.loadSync([...files], { keepCase: true });
  root.resolveAll();
  return root;
}

/**
 * Envoy ext_authz v3 `Authorization` service (rpc `Check`, path
 * `/envoy.service.auth.v3.Authorization/Check`). `.service` is the
 * ServiceDefinition for `Server.addService`; `new` makes a client.
 */
export function authorizationService(): ServiceClientConstructor {
  return lookupService('envoy.service.auth.v3.Authorization');
}

/**
 * OTLP `LogsService` (rpc `Export`, path
 * `/opentelemetry.proto.collector.logs.v1.LogsService/Export`), which Envoy's
 * OpenTelemetry access logger calls.
 */
export function logsService(): ServiceClientConstructor {
  return lookupService('opentelemetry.proto.collector.logs.v1.LogsService');
}

/**
 * Sluice `AgentSync` service (bidi rpc `Connect`, path `/sluice.sync.v1.AgentSync/Connect`).
 * For typed handlers and clients see `sync-service.ts`.
 */
export function agentSyncService(): ServiceClientConstructor {
  return lookupService('sluice.sync.v1.AgentSync');
}

/**
 * The service at `fullName` (dot-separated, package included) in {@link loadGrpcPackage}.
 *
 * @throws Error naming the service and the loaded files when there is no such service.
 */
export function lookupService(fullName: string): ServiceClientConstructor {
  let node: GrpcObject | ServiceClientConstructor | ProtobufTypeDefinition | undefined = loadGrpcPackage();
  for (const part of fullName.split('.')) {
    node = isNamespace(node) ? node[part] : undefined;
  }
  if (typeof node !== 'function') {
    throw new Error(`no gRPC service "${fullName}" in the loaded protos (${PROTO_FILES.join(', ')})`);
  }
  return node;
}

function isNamespace(
  node: GrpcObject | ServiceClientConstructor | ProtobufTypeDefinition | undefined,
): node is GrpcObject {
  // Message and enum definitions are plain objects too; they carry `format`.
  return typeof node === 'object' && !('format' in node && typeof node.format === 'string');
}

/**
 * protobufjs ships the well-known types google/protobuf/{any,duration,empty,
 * field_mask,struct,timestamp,wrappers}.proto built in, but not descriptor.proto,
 * which Envoy's annotation protos extend. Register it (and its siblings) from
 * the JSON descriptors protobufjs ships, as proto-loader does for its own root.
 * Idempotent.
 */
function registerBundledWellKnownProtos(): void {
  for (const name of ['descriptor', 'api', 'source_context', 'type']) {
    const json = require(`protobufjs/google/protobuf/${name}.json`) as {
      nested: { google: { nested: { protobuf: { nested: Record<string, unknown> } } } };
    };
    protobuf.common(name, json.nested.google.nested.protobuf.nested);
  }
}

/**
 * protobufjs import resolver: find `target` in the first include dir that has
 * it. Unlike protobufjs' default (relative to the importing file), this gives
 * protoc's `-I` semantics.
 *
 * @throws Error naming the file and the include dirs searched.
 */
function resolveOnIncludePath(origin: string, target: string): string {
  if (isAbsolute(target)) return target;
  const includeDirs = protoIncludeDirs();
  for (const dir of includeDirs) {
    const candidate = join(dir, target);
    try {
      accessSync(candidate, fsConstants.R_OK);
      return candidate;
    } catch {
      // Not in this dir: try the next one.
    }
  }
  const from = origin === '' ? '' : ` (imported by ${origin})`;
  throw new Error(`proto file "${target}"${from} not found in any include dir: ${includeDirs.join(', ')}`);
}
