/**
 * Issue 16 items 1, 2 and 15: what istioconfig renders must not let istiod deny the mesh, must not buffer
 * bodies where streaming gRPC runs, and must not reach egress or east-west gateways. Rendered by synthesis and by both Helms, then judged by a reproduction
 * of istiod's CUSTOM-policy rules (support/istiod-custom-authz.ts; istiod cannot run here).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ISTIO_CONFIG_CHART_DEFINITION } from '../src/chart/istio-config-chart.js';
import { IstioConfig, type IstioConfigProps } from '../src/constructs/istio/istio-config.js';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IstioConfigValuesSchema } from '@sluice/spec';
import { evaluateTree } from '../src/template/template-tree.js';
import { ISTIO_CONFIG_CHART } from '../src/constructs/istio/istio-config.js';
import {
  helm,
  HELMS,
  helmTemplate,
  type Manifest,
  mkdtempSync,
  synthesise,
  writeChart,
} from './support/helm.js';
import { ISTIO_CASES, synthesiseIstio } from './support/istio-cases.js';
import {
  type CustomPolicy,
  customVerdict,
  type IstiodOptions,
  type MeshWorkload,
} from './support/istiod-custom-authz.js';

const chart = writeChart(ISTIO_CONFIG_CHART_DEFINITION);
const TARGET = { release: 'sluice', namespace: 'istio-system' } as const;
const PROTECTED = { 'sluice.dev/protected': 'true' };

/** Six workloads in three namespaces; two carry the Sluice label, one of them beside an oauth2-proxy policy. */
const MESH: readonly MeshWorkload[] = [
  { namespace: 'shop', labels: { app: 'cart', ...PROTECTED } },
  { namespace: 'shop', labels: { app: 'web' } },
  { namespace: 'pay', labels: { app: 'ledger', ...PROTECTED } },
  { namespace: 'pay', labels: { app: 'fraud' } },
  { namespace: 'ops', labels: { app: 'grafana' } },
  { namespace: 'ops', labels: { app: 'oncall' } },
];

const PROVIDER_VALUES: IstioConfigProps = {
  mode: 'extensionProvider',
  workloadSelector: { labels: PROTECTED },
  extensionProvider: { meshConfigReady: true },
};

function customPolicies(manifests: readonly Manifest[]): CustomPolicy[] {
  return manifests
    .filter((m) => m.kind === 'AuthorizationPolicy')
    .map((m) => {
      const spec = (m as unknown as { spec: Record<string, any> }).spec;
      assert.equal(spec.action, 'CUSTOM');
      return {
        namespace: m.metadata.namespace ?? '',
        selector: spec.selector?.matchLabels,
        provider: spec.provider.name,
      };
    });
}

/** The renderings a user can install: synthesis, then each Helm. */
async function renderings(values: IstioConfigProps): Promise<[string, Manifest[]][]> {
  const all: [string, Manifest[]][] = [
    ['synthesis', synthesise((scope) => new IstioConfig(scope, 'istio', { ...TARGET, ...values }))],
  ];
  for (const helm of HELMS)
    all.push([`helm ${helm.major}`, await helmTemplate(helm, chart, { ...TARGET, values })]);
  return all;
}

function tally(policies: readonly CustomPolicy[], options: IstiodOptions): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const workload of MESH) {
    const verdict = customVerdict(policies, workload, options);
    const key =
      verdict.kind === 'ext-authz' && verdict.deniedByBrokenProvider ? 'partly-denied' : verdict.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const ISTIO_1_29: Omit<IstiodOptions, 'resolvedProviders'> = {
  rootNamespace: 'istio-system',
  multipleCustomProviders: false,
};
const ISTIO_1_30_FLAG: Omit<IstiodOptions, 'resolvedProviders'> = {
  rootNamespace: 'istio-system',
  multipleCustomProviders: true,
};

describe('CUSTOM AuthorizationPolicy: the blast radius is the selector', () => {
  it('the shape rendered before (no selector, root namespace) denies all six workloads when the provider is missing', () => {
    const before: CustomPolicy[] = [{ namespace: 'istio-system', provider: 'sluice-ext-authz' }];
    assert.deepEqual(tally(before, { ...ISTIO_1_29, resolvedProviders: [] }), { 'denied-all': 6 });
  });

  it('defaults render no CUSTOM policy at all (envoyFilter mode)', async () => {
    for (const [renderer, manifests] of await renderings({})) {
      assert.equal(customPolicies(manifests).length, 0, renderer);
    }
  });

  it('with a confirmed provider, only the two labelled workloads call the agent; a missing provider denies those two, not the mesh', async () => {
    for (const [renderer, manifests] of await renderings(PROVIDER_VALUES)) {
      const policies = customPolicies(manifests);
      assert.equal(policies.length, 1, renderer);
      assert.deepEqual(policies[0]?.selector, PROTECTED, renderer);
      assert.deepEqual(tally(policies, { ...ISTIO_1_29, resolvedProviders: ['sluice-ext-authz'] }), {
        'ext-authz': 2,
        untouched: 4,
      });
      assert.deepEqual(tally(policies, { ...ISTIO_1_29, resolvedProviders: [] }), {
        'denied-all': 2,
        untouched: 4,
      });
    }
  });

  it('a second CUSTOM provider on a labelled pod: denied before 1.30, served by both with multiple providers on', async () => {
    const [, manifests] = (await renderings(PROVIDER_VALUES))[0] as [string, Manifest[]];
    // The user's own oauth2-proxy policy covers namespace shop, where cart carries the Sluice label.
    const policies = [...customPolicies(manifests), { namespace: 'shop', provider: 'oauth2-proxy' }];
    const resolvedProviders = ['sluice-ext-authz', 'oauth2-proxy'];
    assert.deepEqual(tally(policies, { ...ISTIO_1_29, resolvedProviders }), {
      'denied-all': 1, // cart: two providers on one workload
      'ext-authz': 2, // web (oauth2-proxy only), ledger (Sluice only)
      untouched: 3,
    });
    assert.deepEqual(tally(policies, { ...ISTIO_1_30_FLAG, resolvedProviders }), {
      'ext-authz': 3,
      untouched: 3,
    });
    const cart = customVerdict(policies, MESH[0] as MeshWorkload, { ...ISTIO_1_30_FLAG, resolvedProviders });
    assert.deepEqual(cart, {
      kind: 'ext-authz',
      providers: ['oauth2-proxy', 'sluice-ext-authz'],
      deniedByBrokenProvider: false,
    });
  });

  it('NOTES name the selector and the one-provider rule (Helm 4 renders NOTES offline), as the typed notes do', async () => {
    const values = { ...PROVIDER_VALUES, workloadSelector: { labels: { app: 'shop' } } };
    const context = {
      values: IstioConfigValuesSchema.parse(values),
      release: { name: 'sluice', namespace: 'istio-system' },
      chart: ISTIO_CONFIG_CHART,
      locals: new Map(),
    };
    const typed = String(evaluateTree(ISTIO_CONFIG_CHART_DEFINITION.notes, context)).trim();
    assert.match(typed, /selects only pods labelled \{"app":"shop"\}/);
    assert.match(typed, /PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS/);
    const file = join(mkdtempSync(join(tmpdir(), 'sluice-notes-')), 'values.json');
    writeFileSync(file, JSON.stringify(values));
    for (const binary of HELMS.filter((h) => h.major >= 4)) {
      const output = await helm(binary, [
        'install',
        'sluice',
        chart,
        '--dry-run=client',
        '--namespace',
        'istio-system',
        '--values',
        file,
      ]);
      assert.equal(output.slice(output.indexOf('NOTES:\n') + 'NOTES:\n'.length).trim(), typed);
    }
  });
});

describe('request-body buffering: off by default, scoped when on', () => {
  const bodyValues: IstioConfigProps = {
    priority: -5,
    extAuthz: { requestBody: { enabled: true, workloadSelector: { labels: { app: 'classifier' } } } },
  };
  const bodyFilters = (manifests: readonly Manifest[]) =>
    manifests.filter((m) => JSON.stringify(m).includes('with_request_body'));

  it('no rendering of any other matrix case buffers a body', () => {
    for (const testCase of ISTIO_CASES.filter((c) => c.name !== 'ext_authz knobs')) {
      assert.equal(bodyFilters(synthesiseIstio(testCase)).length, 0, testCase.name);
    }
  });

  it('when on: one extra EnvoyFilter, only for the selected pods, one priority after the main filter, merging into ext_authz', async () => {
    for (const [renderer, manifests] of await renderings(bodyValues)) {
      const filters = bodyFilters(manifests);
      assert.equal(filters.length, 1, renderer);
      const filter = filters[0] as unknown as { metadata: { name: string }; spec: Record<string, any> };
      assert.equal(filter.metadata.name, 'sluice-istioconfig-request-body', renderer);
      assert.deepEqual(filter.spec.workloadSelector, { labels: { app: 'classifier' } }, renderer);
      assert.equal(filter.spec.priority, -4, renderer);
      const patches = filter.spec.configPatches as Record<string, any>[];
      assert.deepEqual(
        patches.map((p) => [
          p.match.context,
          p.patch.operation,
          p.match.listener.filterChain.filter.subFilter.name,
        ]),
        [
          ['SIDECAR_INBOUND', 'MERGE', 'envoy.filters.http.ext_authz'],
          ['SIDECAR_OUTBOUND', 'MERGE', 'envoy.filters.http.ext_authz'],
        ],
        renderer,
      );
      assert.deepEqual(patches[0]?.patch.value.typed_config.with_request_body, {
        max_request_bytes: 8192,
        allow_partial_message: true,
        pack_as_bytes: false,
      });
      const main = manifests.find((m) => m.metadata.name === 'sluice-istioconfig');
      assert.equal(JSON.stringify(main).includes('with_request_body'), false, renderer);
    }
  });
});

describe('gateway patches: only the selected ingress gateways', () => {
  const gatewayFilter = (manifests: readonly Manifest[]) =>
    manifests.find((m) => m.metadata.name === 'sluice-istioconfig-gateways') as unknown as
      { spec: Record<string, any> } | undefined;

  it('off by default; on, a filter of their own selecting istio: ingressgateway, or exactly the labels given', async () => {
    for (const [renderer, manifests] of await renderings({})) {
      assert.equal(gatewayFilter(manifests), undefined, renderer);
      assert.equal(JSON.stringify(manifests).includes('"GATEWAY"'), false, renderer);
    }
    for (const [renderer, manifests] of await renderings({ gateways: { enabled: true } })) {
      assert.deepEqual(
        gatewayFilter(manifests)?.spec.workloadSelector,
        { labels: { istio: 'ingressgateway' } },
        renderer,
      );
      const main = manifests.find((m) => m.metadata.name === 'sluice-istioconfig');
      assert.equal(JSON.stringify(main).includes('"GATEWAY"'), false, renderer);
    }
    // Given labels replace the default (Helm would merge a map default into the user's map: there is none).
    const custom = { gateways: { enabled: true, workloadSelector: { labels: { app: 'edge-gw' } } } };
    for (const [renderer, manifests] of await renderings(custom)) {
      assert.deepEqual(
        gatewayFilter(manifests)?.spec.workloadSelector,
        { labels: { app: 'edge-gw' } },
        renderer,
      );
      assert.deepEqual(
        (gatewayFilter(manifests)?.spec.configPatches as Record<string, any>[]).map((p) => p.match.context),
        ['GATEWAY', 'GATEWAY'],
        renderer,
      );
    }
  });
});
