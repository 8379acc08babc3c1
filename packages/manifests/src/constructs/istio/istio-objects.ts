import type { IstioConfigValues } from '@sluice/spec';
import { concat, type Expr, plusOne } from '../../template/expr.js';
import { type Tree, type TreeObject, when, yamlOf } from '../../template/template-tree.js';
import type { View } from '../../template/values-view.js';
import type { ComponentBinding } from '../component-binding.js';
import { agentTarget } from './agent-target.js';
import { exactBalanceConfigPatches, exactBalanceGuards, proxyConfigSpec } from './exact-balance.js';
import {
  extAuthzConfigPatches,
  gatewayConfigPatches,
  requestBodyConfigPatches,
} from './ext-authz-envoy-filter.js';
import { authorizationPolicySpec, selectorGuards, telemetrySpec } from './extension-providers.js';
import { mtlsGuards } from './mtls.js';

/** What every istioconfig object is built from: the values, the release's fullname, namespace and labels. */
export interface IstioParts {
  readonly view: View<IstioConfigValues>;
  readonly name: Expr<string>;
  readonly namespace: Expr<string>;
  readonly labels: TreeObject;
}

export function istioParts(binding: ComponentBinding<IstioConfigValues>): IstioParts {
  const { values, names, namespace } = binding;
  return { view: values, name: names.fullname, namespace, labels: names.labels('istio') };
}

/** Refusals the schema cannot express ride on the object every mode renders. */
function valuesGuards(view: View<IstioConfigValues>): TreeObject {
  return { ...exactBalanceGuards(view), ...mtlsGuards(view), ...selectorGuards(view) };
}

function workloadSelector(view: View<IstioConfigValues>): Tree {
  return when(view.workloadSelector.labels.$, { labels: yamlOf(view.workloadSelector.labels.$) });
}

/** Mode `envoyFilter`: the access-log and ext_authz patches, dialling the agent. */
export function extAuthzEnvoyFilter({ view, name, namespace, labels }: IstioParts): TreeObject {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'EnvoyFilter',
    metadata: { name, namespace, labels, ...valuesGuards(view) },
    spec: {
      workloadSelector: workloadSelector(view),
      priority: view.priority.$,
      configPatches: extAuthzConfigPatches(view, agentTarget(view)),
    },
  };
}

/** `gateways.enabled` (mode envoyFilter): ext_authz and access logs on the selected ingress gateways only. */
export function gatewayEnvoyFilter({ view, name, namespace, labels }: IstioParts): TreeObject {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'EnvoyFilter',
    metadata: { name: concat(name, '-gateways'), namespace, labels },
    spec: {
      // Never without a selector: context GATEWAY alone would reach egress and east-west gateways.
      workloadSelector: {
        labels: when(
          view.gateways.workloadSelector.labels.$,
          yamlOf(view.gateways.workloadSelector.labels.$),
          {
            istio: 'ingressgateway',
          },
        ),
      },
      priority: view.priority.$,
      configPatches: gatewayConfigPatches(view, agentTarget(view)),
    },
  };
}

/** `extAuthz.requestBody.enabled` (mode envoyFilter): body buffering for the selected pods only. */
export function requestBodyEnvoyFilter({ view, name, namespace, labels }: IstioParts): TreeObject {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'EnvoyFilter',
    metadata: { name: concat(name, '-request-body'), namespace, labels },
    spec: {
      workloadSelector: { labels: yamlOf(view.extAuthz.requestBody.workloadSelector.labels.$) },
      // After the main filter's INSERT_BEFORE, so the MERGE finds ext_authz in the chain.
      priority: plusOne(view.priority.$),
      configPatches: requestBodyConfigPatches(view),
    },
  };
}

/** Mode `extensionProvider`: requests go to the mesh config's ext_authz provider. */
export function extAuthzAuthorizationPolicy({ view, name, namespace, labels }: IstioParts): TreeObject {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace, labels, ...valuesGuards(view) },
    spec: authorizationPolicySpec(view),
  };
}

/** Mode `extensionProvider`: access logs go to the mesh config's OpenTelemetry provider. */
export function accessLogTelemetry({ view, name, namespace, labels }: IstioParts): TreeObject {
  return {
    apiVersion: 'telemetry.istio.io/v1',
    kind: 'Telemetry',
    metadata: { name, namespace, labels },
    spec: telemetrySpec(view),
  };
}

/** `exactBalance.inbound: envoyFilter` (older Istio): exact balance merged into virtualInbound. */
export function exactBalanceEnvoyFilter({ view, name, namespace, labels }: IstioParts): TreeObject {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'EnvoyFilter',
    metadata: { name: concat(name, '-exact-balance'), namespace, labels },
    spec: {
      workloadSelector: workloadSelector(view),
      priority: view.priority.$,
      configPatches: exactBalanceConfigPatches(view),
    },
  };
}

/** The exact-balance ProxyConfig for one namespace (or, in the root namespace, the mesh). */
export function exactBalanceProxyConfig(
  { view, name, labels }: IstioParts,
  namespace: Expr<string>,
): TreeObject {
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'ProxyConfig',
    metadata: { name: concat(name, '-exact-balance'), namespace, labels },
    spec: proxyConfigSpec(view),
  };
}
