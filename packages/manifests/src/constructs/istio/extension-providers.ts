import {
  CUSTOM_POLICY_SELECTOR_REFUSAL,
  type IstioConfigValues,
  MESH_CONFIG_UNCONFIRMED_REFUSAL,
  REQUEST_BODY_PROVIDER_REFUSAL,
  REQUEST_BODY_SCOPE_REFUSAL,
} from '@sluice/spec';
import { and, eq, not } from '../../template/expr.js';
import { refuseWhen } from '../../template/chart-guards.js';
import { type TreeObject, yamlOf } from '../../template/template-tree.js';
import type { View } from '../../template/values-view.js';
import { ACCESS_LOG_ATTRIBUTES } from './ext-authz-envoy-filter.js';

/**
 * Istio's first-class alternative to the EnvoyFilter (mode `extensionProvider`): the mesh config names two
 * extension providers (envoyExtAuthzGrpc and envoyOtelAls), an AuthorizationPolicy with action CUSTOM
 * sends requests to the first, and a Telemetry resource turns on the second. Istio sends no gRPC metadata
 * this way, so the agent applies its configured default control point.
 *
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
 * @see https://istio.io/latest/docs/reference/config/telemetry/
 */

function selector(values: View<IstioConfigValues>): TreeObject {
  // The values refuse this mode without labels, so the policy never reaches a whole namespace or the mesh.
  return { selector: { matchLabels: yamlOf(values.workloadSelector.labels.$) } };
}

/** The chart's twins of the schema's selector refusals: CUSTOM policy and body buffering. */
export function selectorGuards(values: View<IstioConfigValues>): TreeObject {
  const providerMode = eq(values.mode.$, 'extensionProvider');
  const body = values.extAuthz.requestBody;
  return {
    refuseSelectorlessCustomPolicy: refuseWhen(
      and(providerMode, not(values.workloadSelector.labels.$)),
      CUSTOM_POLICY_SELECTOR_REFUSAL,
    ),
    refuseUnconfirmedMeshConfig: refuseWhen(
      and(providerMode, not(values.extensionProvider.meshConfigReady.$)),
      MESH_CONFIG_UNCONFIRMED_REFUSAL,
    ),
    refuseProviderRequestBody: refuseWhen(and(providerMode, body.enabled.$), REQUEST_BODY_PROVIDER_REFUSAL),
    refuseUnscopedRequestBody: refuseWhen(
      and(not(providerMode), body.enabled.$, not(body.workloadSelector.labels.$)),
      REQUEST_BODY_SCOPE_REFUSAL,
    ),
  };
}

export function authorizationPolicySpec(values: View<IstioConfigValues>): TreeObject {
  return {
    ...selector(values),
    action: 'CUSTOM',
    provider: { name: values.extensionProvider.authzName.$ },
    // One empty rule matches every request; CUSTOM with no rules would match none.
    rules: [{}],
  };
}

export function telemetrySpec(values: View<IstioConfigValues>): TreeObject {
  return {
    ...selector(values),
    accessLogging: [{ providers: [{ name: values.extensionProvider.accessLogName.$ }] }],
  };
}

/** What mesh config needs for mode `extensionProvider`, for IstioOperator / istiod values `meshConfig`. */
export interface MeshConfigExtensionProviders {
  readonly extensionProviders: readonly Record<string, unknown>[];
}

/**
 * The `meshConfig.extensionProviders` entries for parsed values. Istio's own provider timeout default is
 * ten minutes, so the timeout is always written. No `includeRequestBodyInCheck`: it would buffer every
 * workload the provider serves (the values refuse body buffering in this mode).
 */
export function meshConfigExtensionProviders(
  values: IstioConfigValues,
  agentHost: string,
): MeshConfigExtensionProviders {
  const authz = values.extAuthz;
  const statusCodes: Record<IstioConfigValues['extAuthz']['statusOnError'], string> = {
    Forbidden: '403',
    TooManyRequests: '429',
    InternalServerError: '500',
    BadGateway: '502',
    ServiceUnavailable: '503',
    GatewayTimeout: '504',
  };
  return {
    extensionProviders: [
      {
        name: values.extensionProvider.authzName,
        envoyExtAuthzGrpc: {
          service: agentHost,
          port: values.agent.port,
          timeout: authz.timeout,
          failOpen: authz.failureModeAllow,
          statusOnError: statusCodes[authz.statusOnError],
        },
      },
      {
        name: values.extensionProvider.accessLogName,
        envoyOtelAls: {
          service: agentHost,
          port: values.agent.port,
          logName: 'ingress',
          logFormat: { text: '%REQ(:METHOD)%', labels: Object.fromEntries(ACCESS_LOG_ATTRIBUTES) },
        },
      },
    ],
  };
}
