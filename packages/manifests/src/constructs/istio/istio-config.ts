import {
  type IstioConfigValues,
  IstioConfigValuesSchema,
  type IstioConfigValuesInput,
  SLUICE_CHART_FACTS,
} from '@sluice/spec';
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { and, eq, type EvalContext, type Expr, not } from '../../template/expr.js';
import { evaluateTree } from '../../template/template-tree.js';
import type { View } from '../../template/values-view.js';
import {
  chartValuesBinding,
  ComponentBinding,
  type ReleaseProps,
  typedChartBinding,
} from '../component-binding.js';
import { addSluiceObjects, type SluiceObject } from '../sluice-object.js';
import { agentHost } from './agent-target.js';
import { needsProxyConfig } from './exact-balance.js';
import { meshConfigExtensionProviders, type MeshConfigExtensionProviders } from './extension-providers.js';
import {
  accessLogTelemetry,
  exactBalanceEnvoyFilter,
  exactBalanceProxyConfig,
  extAuthzAuthorizationPolicy,
  extAuthzEnvoyFilter,
  gatewayEnvoyFilter,
  istioParts,
  requestBodyEnvoyFilter,
} from './istio-objects.js';
import { peerAuthentication } from './mtls.js';

const SOURCE = 'packages/manifests/src/constructs/istio/istio-config.ts';

/** The `istioconfig` chart as `.Chart` shows it. */
export const ISTIO_CONFIG_CHART = { name: 'istioconfig', ...SLUICE_CHART_FACTS } as const;

/** Where typed synthesis puts the objects when no namespace is given: the istiod namespace, so they apply mesh-wide. */
export const DEFAULT_ISTIO_NAMESPACE = 'istio-system';

/** Props of a typed `IstioConfig`: the `istioconfig` chart's values, plus release and namespace. */
export interface IstioConfigProps
  extends Readonly<Omit<IstioConfigValuesInput, 'nameOverride' | 'fullnameOverride'>>, ReleaseProps {}

/** The `istioconfig` chart's values bound to typed props; objects go to the istiod namespace unless told. */
function typedIstioBinding(props: IstioConfigProps): {
  readonly binding: ComponentBinding<IstioConfigValues>;
  readonly parsed?: IstioConfigValues;
} {
  return typedChartBinding(props, {
    schema: IstioConfigValuesSchema,
    chart: ISTIO_CONFIG_CHART,
    owner: 'IstioConfig',
    helperPrefix: 'istioconfig',
    defaultNamespace: DEFAULT_ISTIO_NAMESPACE,
  });
}

/**
 * Wires Envoy to the Sluice agent inside an Istio mesh (Istio 1.22+), built once for both renderers:
 *
 * - mode `envoyFilter` (default): one EnvoyFilter (networking.istio.io/v1alpha3) with the access-log and
 *   ext_authz patches for inbound and outbound sidecars, and with `gateways.enabled` a second one for the
 *   ingress gateways `gateways.workloadSelector` names (never egress or east-west gateways);
 * - mode `extensionProvider`: AuthorizationPolicy CUSTOM (security.istio.io/v1) and Telemetry
 *   (telemetry.istio.io/v1) that use mesh config extension providers (`istioConfigMeshConfig` gives them),
 *   always with a workload selector and only once `extensionProvider.meshConfigReady` confirms the providers;
 * - `extAuthz.requestBody`: body buffering, off by default, in its own EnvoyFilter for selected pods;
 * - `mtls`: PeerAuthentication STRICT mesh-wide or per namespace;
 * - `exactBalance`: ProxyConfig (networking.istio.io/v1beta1) metadata variables, or an inbound listener
 *   EnvoyFilter for older Istio.
 *
 * Typed: `new IstioConfig(chart, 'istio', { agent: { release: 'sluice' }, mtls: { mode: 'mesh' } })`.
 * The `istioconfig` chart builds the same objects from `.Values`.
 */
export class IstioConfig extends Construct {
  readonly objects: readonly SluiceObject[];
  /** Parsed values, present for typed synthesis. */
  private readonly parsed?: IstioConfigValues;
  private readonly context?: EvalContext;
  private readonly view: View<IstioConfigValues>;

  /** The construct over `.Values`, for the chart generator. */
  static forChart(scope: Construct, id: string): IstioConfig {
    return new IstioConfig(scope, id, chartValuesBinding<IstioConfigValues>('istioconfig'));
  }

  constructor(
    scope: Construct,
    id: string,
    props: IstioConfigProps | ComponentBinding<IstioConfigValues> = {},
  ) {
    super(scope, id);
    const { binding, parsed } =
      props instanceof ComponentBinding ? { binding: props } : typedIstioBinding(props);
    this.parsed = parsed;
    this.view = binding.values;
    this.context = binding.context;
    const parts = istioParts(binding);
    const { view, labels } = parts;
    const providerMode = eq(view.mode.$, 'extensionProvider');
    this.objects = addSluiceObjects(this, {
      source: SOURCE,
      context: binding.context,
      objects: [
        {
          id: 'EnvoyFilter',
          file: 'envoyfilter.yaml',
          when: eq(view.mode.$, 'envoyFilter'),
          tree: extAuthzEnvoyFilter(parts),
        },
        {
          id: 'GatewayEnvoyFilter',
          file: 'gateway-envoyfilter.yaml',
          when: and(eq(view.mode.$, 'envoyFilter'), view.gateways.enabled.$),
          tree: gatewayEnvoyFilter(parts),
        },
        {
          id: 'RequestBodyEnvoyFilter',
          file: 'request-body-envoyfilter.yaml',
          when: and(eq(view.mode.$, 'envoyFilter'), view.extAuthz.requestBody.enabled.$),
          tree: requestBodyEnvoyFilter(parts),
        },
        {
          id: 'AuthorizationPolicy',
          file: 'authorizationpolicy.yaml',
          when: providerMode,
          tree: extAuthzAuthorizationPolicy(parts),
        },
        { id: 'Telemetry', file: 'telemetry.yaml', when: providerMode, tree: accessLogTelemetry(parts) },
        {
          id: 'MeshPeerAuthentication',
          file: 'peerauthentication-mesh.yaml',
          when: eq(view.mtls.mode.$, 'mesh'),
          tree: peerAuthentication(view.meshRootNamespace.$, labels),
        },
        {
          id: 'NamespacePeerAuthentications',
          file: 'peerauthentication-namespaces.yaml',
          when: eq(view.mtls.mode.$, 'namespaces'),
          forEach: view.mtls.namespaces.$,
          build: (item: Expr<string>) => peerAuthentication(item, labels),
        },
        {
          id: 'ExactBalanceEnvoyFilter',
          file: 'exact-balance-envoyfilter.yaml',
          when: eq(view.exactBalance.inbound.$, 'envoyFilter'),
          tree: exactBalanceEnvoyFilter(parts),
        },
        {
          id: 'ExactBalanceProxyConfigs',
          file: 'exact-balance-proxyconfigs.yaml',
          when: needsProxyConfig(view),
          forEach: view.exactBalance.namespaces.$,
          build: (item: Expr<string>) => exactBalanceProxyConfig(parts, item),
        },
        {
          id: 'ExactBalanceMeshProxyConfig',
          file: 'exact-balance-proxyconfig-mesh.yaml',
          when: and(needsProxyConfig(view), not(view.exactBalance.namespaces.$)),
          tree: exactBalanceProxyConfig(parts, view.meshRootNamespace.$),
        },
      ],
    });
  }

  /**
   * For mode `extensionProvider`: the `meshConfig.extensionProviders` Istio needs (IstioOperator or istiod
   * values). Only typed constructs know their values; the chart prints the same in its NOTES.
   */
  meshConfig(): MeshConfigExtensionProviders {
    if (this.parsed === undefined || this.context === undefined)
      throw new Error('IstioConfig.meshConfig: only typed constructs know their values');
    if (this.parsed.sidecarMode.enabled) {
      // An extension provider names a mesh service; a per-pod agent on localhost is the EnvoyFilter's job.
      throw new Error(
        'IstioConfig.meshConfig: sidecarMode.enabled needs mode envoyFilter; extension providers name a service, not localhost',
      );
    }
    const host = evaluateTree(agentHost(this.view), this.context) as string;
    return meshConfigExtensionProviders(this.parsed, host);
  }
}

/**
 * The `meshConfig.extensionProviders` entries mode `extensionProvider` needs, for values that are not yet
 * confirmed (`meshConfigReady` false): the step before the mode can be rendered at all.
 */
export function istioConfigMeshConfig(props: IstioConfigProps): MeshConfigExtensionProviders {
  const confirmed: IstioConfigProps = {
    ...props,
    mode: 'extensionProvider',
    extensionProvider: { ...props.extensionProvider, meshConfigReady: true },
  };
  return new IstioConfig(new Chart(new App(), 'mesh-config'), 'istio', confirmed).meshConfig();
}
