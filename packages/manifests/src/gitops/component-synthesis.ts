import { App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { IstioConfig, type IstioConfigProps } from '../constructs/istio/istio-config.js';
import { SluiceCrds, type SluiceCrdsProps } from '../constructs/crds/sluice-crds.js';
import { SluicePlatform, type SluicePlatformProps } from '../constructs/platform/sluice-platform.js';
import { TenantGateways, type TenantGatewaysProps } from '../constructs/tenants/tenant-gateways.js';
import { gatewayNamespacesWithOutboundBalance } from '../constructs/istio/gateway-namespace-balance.js';
import { gatewayNamespaceExactBalanceRefusal } from '@sluice/spec';
import { type ComponentRole, roleOfObjects, ROLE_WAVES } from './component-roles.js';
import type { GitOpsComponent, KubernetesObject } from './gitops-component.js';
import { GitOpsInputError } from './output-paths.js';
import type { SluiceConfig } from './sluice-config.js';

function synth(build: (scope: Construct) => void): KubernetesObject[] {
  const chart = new Chart(new App(), 'component');
  build(chart);
  return chart.toJson() as KubernetesObject[];
}

/** Refuses components whose outbound exact balance reaches another component's gateway pods. */
function refuseGatewayExactBalance(components: GitOpsComponent[]): GitOpsComponent[] {
  const [namespace] = gatewayNamespacesWithOutboundBalance(components.flatMap((c) => c.objects));
  if (namespace !== undefined) {
    throw new GitOpsInputError(
      'istioconfig exactBalance.namespaces',
      namespace,
      gatewayNamespaceExactBalanceRefusal(namespace).replace(/^exactBalance\.namespaces: /, ''),
    );
  }
  return components;
}

function component(
  name: string,
  role: ComponentRole,
  namespace: string,
  objects: KubernetesObject[],
  chart?: GitOpsComponent['chart'],
): GitOpsComponent {
  return {
    name,
    role,
    wave: ROLE_WAVES[role],
    namespace,
    objects,
    hasCrds: objects.some((object) => object.kind === 'CustomResourceDefinition'),
    ...(chart ? { chart } : {}),
  };
}

/**
 * Synthesises every enabled component of a Sluice config with the typed constructs. Each component also
 * records the chart and values that render the same objects, for helm mode.
 */
export function synthesizeConfig(config: SluiceConfig): GitOpsComponent[] {
  const components: GitOpsComponent[] = [];
  const { release, namespace } = config;
  if (config.crds.enabled) {
    const props = { ...config.crds.values, release: `${release}-crds` } as SluiceCrdsProps;
    components.push(
      component(
        'sluice-crds',
        'crds',
        namespace,
        synth((scope) => new SluiceCrds(scope, 'crds', props)),
        {
          name: 'sluice-crds',
          release: `${release}-crds`,
          values: config.crds.values,
        },
      ),
    );
  }
  const platformProps = { ...config.sluice.values, release, namespace } as SluicePlatformProps;
  components.push(
    component(
      'sluice',
      'platform',
      namespace,
      synth((scope) => new SluicePlatform(scope, 'sluice', platformProps)),
      {
        name: 'sluice',
        release,
        values: config.sluice.values,
      },
    ),
  );
  if (config.istioConfig.enabled) {
    const { release: istioRelease, namespace: istioNamespace, values } = config.istioConfig;
    const props = { ...values, release: istioRelease, namespace: istioNamespace } as IstioConfigProps;
    components.push(
      component(
        'istioconfig',
        'configuration',
        istioNamespace,
        synth((scope) => new IstioConfig(scope, 'istio', props)),
        {
          name: 'istioconfig',
          release: istioRelease,
          values,
        },
      ),
    );
  }
  if (config.tenantGateways.enabled) {
    const { release: tenantRelease, namespace: tenantNamespace, values } = config.tenantGateways;
    const props = { ...values, release: tenantRelease } as TenantGatewaysProps;
    components.push(
      component(
        'tenant-gateways',
        'configuration',
        tenantNamespace,
        synth((scope) => new TenantGateways(scope, 'tenants', props)),
        {
          name: 'tenant-gateways',
          release: tenantRelease,
          values,
        },
      ),
    );
  }
  if (config.policies.length > 0) {
    const policies = config.policies.map((policy) => ({
      ...policy,
      metadata: { ...policy.metadata, namespace: policy.metadata.namespace ?? namespace },
    })) as unknown as KubernetesObject[];
    components.push(component('policies', 'configuration', namespace, policies));
  }
  return refuseGatewayExactBalance(components);
}

/**
 * Components of a cdk8s App built by a `sluice.config.ts` build function: one per top-level Chart, named by
 * its id and ordered by what it holds (`roleOfObjects`), not by that id.
 */
export function componentsOfApp(app: App, defaultNamespace: string): GitOpsComponent[] {
  const components = app.charts.map((chart) => {
    const objects = chart.toJson() as KubernetesObject[];
    const namespace =
      objects.find((object) => object.metadata.namespace !== undefined)?.metadata.namespace ??
      defaultNamespace;
    return component(chart.node.id, roleOfObjects(objects), namespace, objects);
  });
  return refuseGatewayExactBalance(components);
}
