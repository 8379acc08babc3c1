import { and, type Expr, not } from '../../template/expr.js';
import type { IstioConfigValues } from '@sluice/spec';
import { each, type Tree, type TreeObject, when } from '../../template/template-tree.js';
import type { View } from '../../template/values-view.js';

/**
 * The configPatches of Sluice's EnvoyFilter, after Aperture's istioconfig (reference aperture.md §1.2–1.3):
 * the OpenTelemetry access log merged into the HTTP connection manager, and ext_authz inserted before the
 * router, for inbound and outbound sidecar listeners, and optionally for ingress gateways. Field names are
 * Envoy's proto names; `checkEnvoyFilterPatch` from `@sluice/spec` checks every value against the protos.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/envoy-filter/
 * @see https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/http/ext_authz/v3/ext_authz.proto
 */

export const HTTP_CONNECTION_MANAGER = 'envoy.filters.network.http_connection_manager';
export const HTTP_CONNECTION_MANAGER_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER = 'envoy.filters.http.router';
export const EXT_AUTHZ = 'envoy.filters.http.ext_authz';
export const EXT_AUTHZ_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz';
export const OTEL_ACCESS_LOGGER = 'envoy.access_loggers.open_telemetry';
export const OTEL_ACCESS_LOG_TYPE =
  'type.googleapis.com/envoy.extensions.access_loggers.open_telemetry.v3.OpenTelemetryAccessLogConfig';

/**
 * The access-log attributes, key → Envoy format string, in Aperture's spelling: the agent reads the decision
 * it returned (`aperture.check_response`), the status and the durations; the rest are kept for parity.
 * Every value is a string attribute, as Envoy's formatter produces them.
 */
export const ACCESS_LOG_ATTRIBUTES: readonly (readonly [string, string])[] = [
  ['aperture.source', 'envoy'],
  ['aperture.check_response', '%DYNAMIC_METADATA(envoy.filters.http.ext_authz:aperture.check_response)%'],
  ['http.status_code', '%RESPONSE_CODE%'],
  ['authz_duration', '%DYNAMIC_METADATA(envoy.filters.http.ext_authz:ext_authz_duration)%'],
  ['BYTES_RECEIVED', '%BYTES_RECEIVED%'],
  ['BYTES_SENT', '%BYTES_SENT%'],
  ['DURATION', '%DURATION%'],
  ['REQUEST_DURATION', '%REQUEST_DURATION%'],
  ['REQUEST_TX_DURATION', '%REQUEST_TX_DURATION%'],
  ['RESPONSE_DURATION', '%RESPONSE_DURATION%'],
  ['RESPONSE_TX_DURATION', '%RESPONSE_TX_DURATION%'],
];

export type PatchContext = 'SIDECAR_INBOUND' | 'SIDECAR_OUTBOUND' | 'GATEWAY';

/** Patches 1–2 (and the gateway twin): one OpenTelemetry access-log entry merged into the HTTP connection manager. */
function accessLogPatch(
  values: View<IstioConfigValues>,
  target: Expr<string>,
  context: PatchContext,
  logName: string,
): TreeObject {
  return {
    applyTo: 'NETWORK_FILTER',
    match: { context, listener: { filterChain: { filter: { name: HTTP_CONNECTION_MANAGER } } } },
    patch: {
      operation: 'MERGE',
      value: {
        name: HTTP_CONNECTION_MANAGER,
        typed_config: {
          '@type': HTTP_CONNECTION_MANAGER_TYPE,
          access_log: [
            {
              name: OTEL_ACCESS_LOGGER,
              typed_config: {
                '@type': OTEL_ACCESS_LOG_TYPE,
                common_config: {
                  log_name: logName,
                  grpc_service: { google_grpc: { target_uri: target, stat_prefix: 'sluice_access_log' } },
                  transport_api_version: 'V3',
                  // Envoy's own batching defaults, written out so the batching is visible and tunable.
                  buffer_flush_interval: values.accessLog.bufferFlushInterval.$,
                  buffer_size_bytes: values.accessLog.bufferSizeBytes.$,
                },
                body: { string_value: '%REQ(:METHOD)%' },
                attributes: {
                  values: ACCESS_LOG_ATTRIBUTES.map(([key, format]) => ({
                    key,
                    value: { string_value: format },
                  })),
                },
              },
            },
          ],
        },
      },
    },
  };
}

/** A header list matcher (case-insensitive exact names), as allowed_headers / disallowed_headers take it. */
function headerMatcher(names: Expr<readonly string[] | undefined>): TreeObject {
  return { patterns: [each(names, (name) => ({ exact: name, ignore_case: true }))] };
}

/** Patches 3–4 (and the gateway twin): ext_authz before the router, after Istio's own authz (filterClass AUTHZ). */
function extAuthzPatch(
  values: View<IstioConfigValues>,
  target: Expr<string>,
  context: PatchContext,
  controlPoint: Expr<string>,
): TreeObject {
  const authz = values.extAuthz;
  return {
    applyTo: 'HTTP_FILTER',
    match: {
      context,
      listener: { filterChain: { filter: { name: HTTP_CONNECTION_MANAGER, subFilter: { name: ROUTER } } } },
    },
    patch: {
      operation: 'INSERT_BEFORE',
      filterClass: 'AUTHZ',
      value: {
        name: EXT_AUTHZ,
        typed_config: {
          '@type': EXT_AUTHZ_TYPE,
          transport_api_version: 'V3',
          failure_mode_allow: authz.failureModeAllow.$,
          failure_mode_allow_header_add: authz.failureModeAllowHeaderAdd.$,
          status_on_error: { code: authz.statusOnError.$ },
          allowed_headers: when(authz.allowedHeaders.$, headerMatcher(authz.allowedHeaders.$)),
          // Credentials stay in the sidecar unless the values say otherwise; disallowed_headers beats allowed_headers.
          disallowed_headers: when(
            and(not(authz.sendCredentialHeaders.$), authz.credentialHeaders.$),
            headerMatcher(authz.credentialHeaders.$),
          ),
          grpc_service: {
            google_grpc: {
              target_uri: target,
              stat_prefix: 'sluice_ext_authz',
              channel_args: {
                args: {
                  'grpc.keepalive_time_ms': { int_value: authz.keepaliveTimeMs.$ },
                  'grpc.keepalive_timeout_ms': { int_value: authz.keepaliveTimeoutMs.$ },
                },
              },
            },
            timeout: authz.timeout.$,
            initial_metadata: [{ key: 'control-point', value: controlPoint }],
          },
        },
      },
    },
  };
}

/** The four sidecar patches, in Aperture's order. */
export function extAuthzConfigPatches(
  values: View<IstioConfigValues>,
  target: Expr<string>,
): readonly Tree[] {
  const points = values.controlPoints;
  return [
    accessLogPatch(values, target, 'SIDECAR_INBOUND', 'ingress'),
    accessLogPatch(values, target, 'SIDECAR_OUTBOUND', 'egress'),
    extAuthzPatch(values, target, 'SIDECAR_INBOUND', points.inbound.$),
    extAuthzPatch(values, target, 'SIDECAR_OUTBOUND', points.outbound.$),
  ];
}

/**
 * The two gateway patches (`gateways.enabled`), for an EnvoyFilter of their own: context GATEWAY matches
 * every gateway proxy (egress and east-west too), so only that filter's selector keeps them to ingress.
 */
export function gatewayConfigPatches(values: View<IstioConfigValues>, target: Expr<string>): readonly Tree[] {
  return [
    accessLogPatch(values, target, 'GATEWAY', 'gateway'),
    extAuthzPatch(values, target, 'GATEWAY', values.controlPoints.gateway.$),
  ];
}

/**
 * Request-body buffering for the pods `extAuthz.requestBody.workloadSelector` names, apart from the main
 * filter so no other workload buffers: a MERGE into the ext_authz filter the main EnvoyFilter inserted (it
 * applies one priority later, so the filter exists). Buffering holds a request until its body arrives, which
 * hangs gRPC client-streaming and bidirectional calls (istio#27777, envoy#42800): select unary services only.
 */
export function requestBodyConfigPatches(values: View<IstioConfigValues>): readonly Tree[] {
  const body = values.extAuthz.requestBody;
  const patch = (context: PatchContext): Tree => ({
    applyTo: 'HTTP_FILTER',
    match: {
      context,
      listener: {
        filterChain: { filter: { name: HTTP_CONNECTION_MANAGER, subFilter: { name: EXT_AUTHZ } } },
      },
    },
    patch: {
      operation: 'MERGE',
      value: {
        name: EXT_AUTHZ,
        typed_config: {
          '@type': EXT_AUTHZ_TYPE,
          with_request_body: {
            max_request_bytes: body.maxRequestBytes.$,
            allow_partial_message: body.allowPartialMessage.$,
            pack_as_bytes: body.packAsBytes.$,
          },
        },
      },
    },
  });
  return [
    patch('SIDECAR_INBOUND'),
    patch('SIDECAR_OUTBOUND'),
    when(values.gateways.enabled.$, patch('GATEWAY')),
  ];
}
