/**
 * `@sluice/spec/protos`: the .proto files Sluice speaks, the one loader for them (gRPC and raw
 * protobuf), the typed AgentSync service with its not-leader refusal, and the check of EnvoyFilter
 * values against Envoy's own protos. Kept apart from `@sluice/spec` because it loads @grpc/grpc-js,
 * @grpc/proto-loader and protobufjs; `@grpc/grpc-js-xds` (Envoy's protos) and the proto files
 * themselves are only read on the first loader call.
 *
 * The AgentSync message shapes (`syncV1`, `AgentMessage`, `ControllerMessage`) and
 * `SYNC_MAX_MESSAGE_BYTES` are types and constants, exported by `@sluice/spec`.
 */

export {
  AGENT_SYNC_PROTO,
  ENVOY_OTEL_ACCESS_LOG_PROTO,
  EXT_AUTHZ_PROTO,
  OTLP_LOGS_SERVICE_PROTO,
  protoIncludeDirs,
  SLUICE_PROTOS_DIR,
} from './proto/proto-paths.js';
export {
  agentSyncService,
  authorizationService,
  loadEnvoyConfigRoot,
  loadGrpcPackage,
  loadProtobufRoot,
  logsService,
  lookupService,
  PROTO_LOADER_OPTIONS,
  protoLoaderOptions,
} from './proto/proto-loader.js';
export {
  agentSyncClientConstructor,
  type AgentSyncClient,
  type AgentSyncClientConstructor,
  type AgentSyncHandlers,
} from './proto/sync-service.js';
export {
  notLeaderRefusal,
  notLeaderStatus,
  type NotLeaderRefusal,
  type NotLeaderStatus,
} from './proto/sync-refusal.js';
export { checkEnvoyFilterPatch, checkEnvoyMessage } from './envoy/envoy-config-check.js';
