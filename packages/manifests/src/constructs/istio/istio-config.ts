import { Construct } from 'constructs';
import {
  literalNames,
  parseProps,
  releaseContext,
  type ReleaseProps,
  splitReleaseProps,
} from '../component-binding.js';
import {
  concat,
  eq,
  type EvalContext,
  type Expr,
  literal,
  releaseNamespace,
  and,
  not,
} from '../../template/expr.js';
import { HelmNames } from '../../template/helm-names.js';
import { SluiceObject } from '../sluice-object.js';
import {
  type IstioConfigValues,
  IstioConfigValuesSchema,
  type IstioConfigValuesInput,
  SLUICE_CHART_FACTS,
} from '@sluice/spec';
import { evaluateTree, type TreeObject, when, yamlOf } from '../../template/template-tree.js';
import { literalView, valuesView, type View } from '../../template/values-view.js';
import { agentHost, agentTarget } from './agent-target.js';
import {
  exactBalanceConfigPatches,
  exactBalanceGuards,
  needsProxyConfig,
  proxyConfigSpec,
} from './exact-balance.js';
import { extAuthzConfigPatches } from './ext-authz-envoy-filter.js';
import {
  authorizationPolicySpec,
  meshConfigExtensionProviders,
  type MeshConfigExtensionProviders,
  telemetrySpec,
} from './extension-providers.js';
import { mtlsGuards, peerAuthentication } from './mtls.js';

const SOURCE = 'packages/manifests/src/constructs/istio/istio-config.ts';

/** The `istioconfig` chart as `.Chart` shows it. */
export const ISTIO_CONFIG_CHART = { name: 'istioconfig', ...SLUICE_CHART_FACTS } as const;

/** Where typed synthesis puts the objects when no namespace is given: the istiod namespace, so they apply mesh-wide. */
export const DEFAULT_ISTIO_NAMESPACE = 'istio-system';

/** Props of a typed `IstioConfig`: the `istioconfig` chart's values, plus release and namespace. */
export interface IstioConfigProps
  extends Readonly<Omit<IstioConfigValuesInput, 'nameOverride' | 'fullnameOverride'>>, ReleaseProps {}

interface ChartBinding {
  readonly view: View<IstioConfigValues>;
  readonly namespace: Expr<string>;
}

/**
 * Wires Envoy to the Sluice agent inside an Istio mesh (Istio 1.22+), built once for both renderers:
 *
 * - mode `envoyFilter` (default): one EnvoyFilter (networking.istio.io/v1alpha3) with the access-log and
 *   ext_authz patches for inbound and outbound sidecars, optionally ingress gateways;
 * - mode `extensionProvider`: AuthorizationPolicy CUSTOM (security.istio.io/v1) and Telemetry
 *   (telemetry.istio.io/v1) that use mesh config extension providers (`meshConfig` gives them);
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
    return new IstioConfig(scope, id, { view: valuesView<IstioConfigValues>(), namespace: releaseNamespace });
  }

  constructor(scope: Construct, id: string, props: IstioConfigProps | ChartBinding = {}) {
    super(scope, id);
    let view: View<IstioConfigValues>;
    let namespace: Expr<string>;
    let names: HelmNames;
    let context: EvalContext | undefined;
    if ('view' in props) {
      ({ view, namespace } = props);
      names = new HelmNames(view, 'istioconfig');
    } else {
      const { release, rest } = splitReleaseProps(props);
      context = releaseContext(
        { ...release, namespace: release.namespace ?? DEFAULT_ISTIO_NAMESPACE },
        ISTIO_CONFIG_CHART,
        'IstioConfig',
      );
      this.parsed = parseProps(
        IstioConfigValuesSchema,
        { ...rest, nameOverride: release.nameOverride, fullnameOverride: release.fullnameOverride },
        'IstioConfig',
      );
      view = literalView(this.parsed);
      namespace = literal(context.release.namespace);
      names = literalNames(release, 'istioconfig');
    }
    this.view = view;
    this.context = context;

    const name = names.fullname;
    const labels = names.labels('istio');
    const common = { source: SOURCE, context };
    const envoyFilterMode = eq(view.mode.$, 'envoyFilter');
    const providerMode = eq(view.mode.$, 'extensionProvider');
    const target = agentTarget(view);
    // Refusals the schema cannot express ride on the object every mode renders.
    const guards = { ...exactBalanceGuards(view), ...mtlsGuards(view) };
    const workloadSelector = when(view.workloadSelector.labels.$, {
      labels: yamlOf(view.workloadSelector.labels.$),
    });

    const objects: SluiceObject[] = [];
    objects.push(
      new SluiceObject(this, 'EnvoyFilter', {
        ...common,
        file: 'envoyfilter.yaml',
        when: envoyFilterMode,
        tree: {
          apiVersion: 'networking.istio.io/v1alpha3',
          kind: 'EnvoyFilter',
          metadata: { name, namespace, labels, ...guards },
          spec: {
            workloadSelector,
            priority: view.priority.$,
            configPatches: extAuthzConfigPatches(view, target),
          },
        },
      }),
      new SluiceObject(this, 'AuthorizationPolicy', {
        ...common,
        file: 'authorizationpolicy.yaml',
        when: providerMode,
        tree: {
          apiVersion: 'security.istio.io/v1',
          kind: 'AuthorizationPolicy',
          metadata: { name, namespace, labels, ...guards },
          spec: authorizationPolicySpec(view),
        },
      }),
      new SluiceObject(this, 'Telemetry', {
        ...common,
        file: 'telemetry.yaml',
        when: providerMode,
        tree: {
          apiVersion: 'telemetry.istio.io/v1',
          kind: 'Telemetry',
          metadata: { name, namespace, labels },
          spec: telemetrySpec(view),
        },
      }),
      new SluiceObject(this, 'MeshPeerAuthentication', {
        ...common,
        file: 'peerauthentication-mesh.yaml',
        when: eq(view.mtls.mode.$, 'mesh'),
        tree: peerAuthentication(view.meshRootNamespace.$, labels),
      }),
      new SluiceObject(this, 'NamespacePeerAuthentications', {
        ...common,
        file: 'peerauthentication-namespaces.yaml',
        when: eq(view.mtls.mode.$, 'namespaces'),
        forEach: view.mtls.namespaces.$,
        build: (item: Expr<string>) => peerAuthentication(item, labels),
      }),
      new SluiceObject(this, 'ExactBalanceEnvoyFilter', {
        ...common,
        file: 'exact-balance-envoyfilter.yaml',
        when: eq(view.exactBalance.inbound.$, 'envoyFilter'),
        tree: {
          apiVersion: 'networking.istio.io/v1alpha3',
          kind: 'EnvoyFilter',
          metadata: { name: concat(name, '-exact-balance'), namespace, labels },
          spec: {
            workloadSelector,
            priority: view.priority.$,
            configPatches: exactBalanceConfigPatches(view),
          },
        },
      }),
      new SluiceObject(this, 'ExactBalanceProxyConfigs', {
        ...common,
        file: 'exact-balance-proxyconfigs.yaml',
        when: needsProxyConfig(view),
        forEach: view.exactBalance.namespaces.$,
        build: (item: Expr<string>) => proxyConfig(concat(name, '-exact-balance'), item, labels, view),
      }),
      new SluiceObject(this, 'ExactBalanceMeshProxyConfig', {
        ...common,
        file: 'exact-balance-proxyconfig-mesh.yaml',
        when: and(needsProxyConfig(view), not(view.exactBalance.namespaces.$)),
        tree: proxyConfig(concat(name, '-exact-balance'), view.meshRootNamespace.$, labels, view),
      }),
    );
    this.objects = objects;
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

function proxyConfig(
  name: Expr<string>,
  namespace: Expr<string>,
  labels: TreeObject,
  view: View<IstioConfigValues>,
): TreeObject {
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'ProxyConfig',
    metadata: { name, namespace, labels },
    spec: proxyConfigSpec(view),
  };
}
