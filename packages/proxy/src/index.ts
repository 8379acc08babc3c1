/** `@sluice/proxy`: an HTTP/1.1 reverse proxy that talks to the Sluice agent as Envoy does. */
export { startProxy, DECISION_HEADER } from './proxy-server.js';
export type { RunningProxy, StartProxyOptions } from './proxy-server.js';
export { ProxyConfigSchema, parseProxyConfig, APERTURE_ACCESS_LOG_ATTRIBUTES } from './proxy-config.js';
export type {
  ProxyConfig,
  ProxyConfigInput,
  ExtAuthzConfig,
  AccessLogConfig,
  WithRequestBodyConfig,
} from './proxy-config.js';
export type { ProxyStatsSnapshot } from './proxy-stats.js';
export { renderPrometheus } from './proxy-stats.js';
export { EXT_AUTHZ_METADATA_NAMESPACE, FAILURE_MODE_ALLOWED_HEADER } from './authz-decision.js';
export type { AuthzDecision } from './authz-decision.js';
export { CONTROL_POINT_METADATA_KEY } from './authz-client.js';
export { PARTIAL_BODY_HEADER, DEFAULT_CREDENTIAL_HEADERS } from './header-filter.js';
export { parseFormatString, formatAccessLogValue, UNSET } from './access-log-format.js';
export type { AccessLogContext } from './access-log-format.js';
export type { OtlpLogRecord, ExportLogsServiceRequest } from './access-log-record.js';
export type { CheckRequest, CheckResponse, HeaderValueOption } from './ext-authz-messages.js';
export { jsonToStruct, structToJson } from './struct-value.js';
export type { JsonValue, ProtoStruct } from './struct-value.js';
export { proxyConfigFromIstioValues, istioAgentTarget } from './istio-config-bridge.js';
export type {
  IstioConfigValuesForProxy,
  ListenerContext,
  FromIstioValuesOptions,
} from './istio-config-bridge.js';
