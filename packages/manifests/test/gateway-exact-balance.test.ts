/**
 * Issue 16 item 9: exact balance must not reach gateway listeners. Outbound balance (and a worker count)
 * applies to gateway listeners; inbound balance only to sidecars' inbound listeners, which gateways lack.
 * A namespace ProxyConfig reaches every pod of its namespace, gateways included, so outbound balance is
 * refused in a namespace where a tenant gateway runs, and allowed mesh-wide only for inbound.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App, Chart } from 'cdk8s';
import {
  INBOUND_EXACT_BALANCE_VARIABLE,
  OUTBOUND_EXACT_BALANCE_VARIABLE,
} from '../src/constructs/istio/exact-balance.js';
import { gatewayNamespacesWithOutboundBalance } from '../src/constructs/istio/gateway-namespace-balance.js';
import { IstioConfig, type IstioConfigProps } from '../src/constructs/istio/istio-config.js';
import { TenantGateways } from '../src/constructs/tenants/tenant-gateways.js';
import { componentsOfApp, synthesizeConfig } from '../src/gitops/component-synthesis.js';
import { GitOpsInputError } from '../src/gitops/output-paths.js';
import { SluiceConfigSchema } from '../src/gitops/sluice-config.js';
import { ISTIO_CONFIG_CHART_DEFINITION } from '../src/chart/istio-config-chart.js';
import { HELMS, helmTemplate, type Manifest, synthesise, writeChart } from './support/helm.js';

const chart = writeChart(ISTIO_CONFIG_CHART_DEFINITION);
const TENANTS = {
  tenants: [
    { name: 'clinic', hosts: ['clinic.example.com'], backend: { service: 'portal', port: 8080 } },
    { name: 'pharmacy', hosts: ['pharmacy.example.com'], backend: { service: 'shop', port: 8080 } },
  ],
};

function app(exactBalance: IstioConfigProps['exactBalance']): App {
  const built = new App();
  new IstioConfig(new Chart(built, 'istioconfig'), 'istio', { namespace: 'istio-system', exactBalance });
  new TenantGateways(new Chart(built, 'tenant-gateways'), 'tenants', TENANTS);
  return built;
}

describe('exact balance and gateway listeners', () => {
  it('mesh-wide inbound balance renders (both Helms and synthesis): one root ProxyConfig with only the inbound variable', async () => {
    const values: IstioConfigProps = { exactBalance: { inbound: 'proxyMetadata' } };
    const renderings: [string, Manifest[]][] = [
      [
        'synthesis',
        synthesise(
          (scope) => new IstioConfig(scope, 'i', { release: 'sluice', namespace: 'istio-system', ...values }),
        ),
      ],
    ];
    for (const helm of HELMS)
      renderings.push([
        `helm ${helm.major}`,
        await helmTemplate(helm, chart, { release: 'sluice', namespace: 'istio-system', values }),
      ]);
    for (const [renderer, manifests] of renderings) {
      const configs = manifests.filter((m) => m.kind === 'ProxyConfig');
      assert.deepEqual(
        configs.map((c) => c.metadata.namespace),
        ['istio-system'],
        renderer,
      );
      assert.deepEqual(
        (configs[0] as unknown as { spec: { environmentVariables: unknown } }).spec.environmentVariables,
        {
          [INBOUND_EXACT_BALANCE_VARIABLE]: 'true',
        },
      );
    }
  });

  it('outbound balance in a tenant gateway namespace is found; inbound there, or outbound elsewhere, is not', () => {
    const objectsOf = (built: App) => componentsOfApp(built, 'sluice-system');
    assert.throws(
      () => objectsOf(app({ outbound: 'proxyMetadata', namespaces: ['clinic', 'billing'] })),
      (error: unknown) =>
        error instanceof GitOpsInputError &&
        /"clinic" namespace clinic hosts an ingress gateway.*Use inbound balance only/.test(error.message),
    );
    assert.equal(objectsOf(app({ inbound: 'proxyMetadata', namespaces: ['clinic', 'pharmacy'] })).length, 2);
    assert.equal(objectsOf(app({ outbound: 'proxyMetadata', namespaces: ['billing'] })).length, 2);
  });

  it('the detector counts each conflicting namespace once, and ignores a ProxyConfig with a selector', () => {
    const gateway = (namespace: string): Manifest => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'g', namespace },
    });
    const proxyConfig = (namespace: string, selector?: object): Manifest =>
      ({
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'ProxyConfig',
        metadata: { name: 'p', namespace },
        spec: {
          ...(selector ? { selector } : {}),
          environmentVariables: { [OUTBOUND_EXACT_BALANCE_VARIABLE]: 'true' },
        },
      }) as Manifest;
    assert.deepEqual(
      gatewayNamespacesWithOutboundBalance([
        gateway('b'),
        gateway('a'),
        proxyConfig('a'),
        proxyConfig('b'),
        proxyConfig('b'),
        proxyConfig('c'),
        gateway('d'),
        proxyConfig('d', { matchLabels: { app: 'x' } }),
      ]),
      ['a', 'b'],
    );
  });

  it('a Sluice config with outbound balance where its tenants run their gateways is refused before anything is written', () => {
    const config = SluiceConfigSchema.parse({
      istioConfig: { values: { exactBalance: { outbound: 'proxyMetadata', namespaces: ['pharmacy'] } } },
      tenantGateways: { enabled: true, values: TENANTS },
    });
    assert.throws(() => synthesizeConfig(config), /namespace pharmacy hosts an ingress gateway/);
  });
});
