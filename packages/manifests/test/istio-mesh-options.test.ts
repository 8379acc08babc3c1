import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AGENT_NAMESPACE_MTLS_REFUSAL,
  GATEWAY_WIDE_EXACT_BALANCE_REFUSAL,
  VIRTUAL_OUTBOUND_REFUSAL,
} from '@sluice/spec';
import { ISTIO_CONFIG_CHART_DEFINITION } from '../src/chart/istio-config-chart.js';
import { exactBalancePodAnnotations } from '../src/constructs/istio/exact-balance.js';
import { IstioConfig, type IstioConfigProps } from '../src/constructs/istio/istio-config.js';
import {
  byKey,
  HELMS,
  helmTemplateText,
  type Manifest,
  parseManifests,
  synthesise,
  writeChart,
} from './support/helm.js';
import { ISTIO_CASES, type IstioCase, synthesiseIstio } from './support/istio-cases.js';

const chart = writeChart(ISTIO_CONFIG_CHART_DEFINITION);
const objects = (name: string) =>
  byKey(synthesiseIstio(ISTIO_CASES.find((c) => c.name === name) as IstioCase));
type Spec = Record<string, any>;
const spec = (manifest: Manifest | undefined) => (manifest as { spec: Spec } | undefined)?.spec as Spec;

describe('mTLS: PeerAuthentication STRICT', () => {
  it('off by default: no PeerAuthentication', () => {
    assert.equal([...objects('defaults').values()].filter((m) => m.kind === 'PeerAuthentication').length, 0);
  });

  it('mesh: one security.istio.io/v1 policy named default in the root namespace, without selector', () => {
    const policy = objects('mtls mesh').get('PeerAuthentication/istio-system/default');
    assert.equal(policy?.apiVersion, 'security.istio.io/v1');
    assert.deepEqual(spec(policy), { mtls: { mode: 'STRICT' } });
  });

  it('namespaces: one default policy per listed namespace, none in the root namespace', () => {
    const keys = [...objects('mtls namespaces').keys()].filter((key) =>
      key.startsWith('PeerAuthentication/'),
    );
    assert.deepEqual(keys, ['PeerAuthentication/demoapp/default', 'PeerAuthentication/shop/default']);
  });

  it('STRICT survives removal: every renderer marks each policy keep for Helm, Argo CD and Flux', async () => {
    const values: IstioConfigProps = { mtls: { mode: 'namespaces', namespaces: ['demoapp', 'shop'] } };
    const renderings: [string, Manifest[]][] = [
      [
        'synthesis',
        synthesiseIstio({
          name: 'keep',
          release: 'sluice',
          namespace: 'istio-system',
          values: values as Record<string, unknown>,
        }),
      ],
    ];
    for (const helm of HELMS)
      renderings.push([
        `helm ${helm.major}`,
        parseManifests(
          await helmTemplateText(helm, chart, { release: 'sluice', namespace: 'istio-system', values }),
        ),
      ]);
    for (const [renderer, manifests] of renderings) {
      const policies = manifests.filter((m) => m.kind === 'PeerAuthentication');
      assert.equal(policies.length, 2, renderer);
      for (const policy of policies) {
        const annotations = (policy.metadata as { annotations?: Record<string, string> }).annotations;
        // Helm pkg/kube/resource_policy.go: ResourcePolicyAnno "helm.sh/resource-policy", KeepPolicy "keep";
        // Argo CD sync option Delete=false; Flux kustomize-controller: prune "disabled".
        assert.deepEqual(
          annotations,
          {
            'helm.sh/resource-policy': 'keep',
            'argocd.argoproj.io/sync-options': 'Delete=false',
            'kustomize.toolkit.fluxcd.io/prune': 'disabled',
          },
          renderer,
        );
      }
    }
  });

  it('a custom root namespace moves the mesh-wide policy', () => {
    const all = byKey(
      synthesise(
        (scope) => new IstioConfig(scope, 'i', { meshRootNamespace: 'istio-root', mtls: { mode: 'mesh' } }),
      ),
    );
    assert.ok(all.has('PeerAuthentication/istio-root/default'));
  });

  it('never generates a DestinationRule (one touching the agent would break ext_authz silently)', () => {
    const kinds = new Set(ISTIO_CASES.flatMap((c) => synthesiseIstio(c).map((m) => m.kind)));
    assert.equal(kinds.has('DestinationRule'), false);
  });
});

describe('exact balance', () => {
  it('proxyMetadata: a ProxyConfig per namespace with the ISTIO_META_ variables and concurrency 4', () => {
    const all = objects('exact balance by proxy metadata in namespaces');
    const config = all.get('ProxyConfig/demoapp/sluice-istioconfig-exact-balance');
    assert.equal(config?.apiVersion, 'networking.istio.io/v1beta1');
    assert.deepEqual(spec(config), {
      concurrency: 4,
      environmentVariables: {
        ISTIO_META_INBOUND_LISTENER_EXACT_BALANCE: 'true',
        ISTIO_META_OUTBOUND_LISTENER_EXACT_BALANCE: 'true',
      },
    });
    assert.equal([...all.values()].filter((m) => m.kind === 'ProxyConfig').length, 1);
  });

  it('envoyFilter: LISTENER MERGE on virtualInbound only, SIDECAR_INBOUND, no gateway patch unless asked', () => {
    const filter = objects('exact balance by EnvoyFilter').get(
      'EnvoyFilter/istio-system/sluice-istioconfig-exact-balance',
    );
    assert.deepEqual(spec(filter).configPatches, [
      {
        applyTo: 'LISTENER',
        match: { context: 'SIDECAR_INBOUND', listener: { name: 'virtualInbound' } },
        patch: { operation: 'MERGE', value: { connection_balance_config: { exact_balance: {} } } },
      },
    ]);
  });

  it('gateways: true adds the GATEWAY listener patch and allows a mesh-wide ProxyConfig in the root namespace', () => {
    const all = objects('exact balance with gateways, mesh-wide');
    const patches = spec(all.get('EnvoyFilter/istio-system/sluice-istioconfig-exact-balance'))
      .configPatches as Spec[];
    assert.deepEqual(
      patches.map((p) => p.match.context),
      ['SIDECAR_INBOUND', 'GATEWAY'],
    );
    assert.deepEqual(spec(all.get('ProxyConfig/istio-system/sluice-istioconfig-exact-balance')), {
      environmentVariables: { ISTIO_META_OUTBOUND_LISTENER_EXACT_BALANCE: 'true' },
    });
  });

  it('no patch of any matrix case names virtualOutbound', () => {
    const text = JSON.stringify(ISTIO_CASES.flatMap((c) => synthesiseIstio(c)));
    assert.equal(text.includes('virtualOutbound'), false);
  });

  it('the pod-annotation form carries the same variables', () => {
    assert.deepEqual(exactBalancePodAnnotations({ inbound: true, concurrency: 2 }), {
      'proxy.istio.io/config':
        'concurrency: 2\nproxyMetadata:\n  ISTIO_META_INBOUND_LISTENER_EXACT_BALANCE: "true"\n',
    });
    assert.throws(() => exactBalancePodAnnotations({}), /set inbound, outbound or concurrency/);
    assert.throws(
      () => exactBalancePodAnnotations({ concurrency: 0 }),
      /concurrency 0 is not allowed; use an integer from 1 to 64/,
    );
  });
});

/** Values refused by both renderers, each with the words that explain why. */
const REFUSED: readonly { name: string; values: IstioConfigProps; message: RegExp }[] = [
  {
    name: 'virtualOutbound',
    values: { exactBalance: { outbound: 'virtualOutbound' } },
    message: /envoy#15146.*envoy#21575/,
  },
  {
    name: 'mesh-wide outbound balance without gateways',
    values: { exactBalance: { outbound: 'proxyMetadata' } },
    message: /outbound exact balance \(and a worker count\) also reaches ingress gateways/,
  },
  {
    name: 'mesh-wide worker count without gateways',
    values: { exactBalance: { concurrency: 2 } },
    message: /also reaches ingress gateways/,
  },
  {
    name: 'STRICT in the agent namespace',
    values: { mtls: { mode: 'namespaces', namespaces: ['demoapp', 'sluice-system'] } },
    message: /agent namespace runs outside the mesh/,
  },
  {
    name: 'a namespace listed twice',
    values: { exactBalance: { inbound: 'proxyMetadata', namespaces: ['a', 'b', 'a'] } },
    message: /exactBalance\.namespaces: a namespace is listed twice/,
  },
  {
    name: 'mode namespaces with none',
    values: { mtls: { mode: 'namespaces' } },
    message: /needs at least one namespace/,
  },
  {
    name: 'a CUSTOM policy without a workload selector',
    values: { mode: 'extensionProvider', extensionProvider: { meshConfigReady: true } },
    message: /needs a workload selector: a CUSTOM AuthorizationPolicy without one applies to every workload/,
  },
  {
    name: 'a CUSTOM policy before meshConfig is confirmed',
    values: { mode: 'extensionProvider', workloadSelector: { labels: { app: 'shop' } } },
    message: /extensionProvider\.meshConfigReady: .*denies every request it selects/,
  },
  {
    name: 'body buffering without its own selector',
    values: { extAuthz: { requestBody: { enabled: true } } },
    message: /request-body buffering needs a workload selector.*istio#27777/,
  },
  {
    name: 'body buffering in extensionProvider mode',
    values: {
      mode: 'extensionProvider',
      workloadSelector: { labels: { app: 'shop' } },
      extensionProvider: { meshConfigReady: true },
      extAuthz: { requestBody: { enabled: true, workloadSelector: { labels: { app: 'shop' } } } },
    },
    message: /includeRequestBodyInCheck\) belongs to the mesh-wide provider/,
  },
];

describe('refusals: synthesis throws and both Helms fail with the same reason', () => {
  it('the refusal texts name the upstream issues and the stance', () => {
    assert.match(VIRTUAL_OUTBOUND_REFUSAL, /original destination/);
    assert.match(GATEWAY_WIDE_EXACT_BALANCE_REFUSAL, /exactBalance\.gateways: true/);
    assert.match(AGENT_NAMESPACE_MTLS_REFUSAL, /plaintext by design/);
  });

  for (const refused of REFUSED) {
    it(refused.name, async () => {
      assert.throws(
        () => synthesise((scope) => new IstioConfig(scope, 'i', refused.values)),
        refused.message,
      );
      for (const helm of HELMS) {
        await assert.rejects(
          helmTemplateText(helm, chart, {
            release: 'sluice',
            namespace: 'istio-system',
            values: refused.values,
          }),
          refused.message,
          `helm ${helm.major}`,
        );
      }
    });
  }

  it('the schema refuses an unknown key, a wrong type and an out-of-range port, naming the key (both Helms)', async () => {
    const bad: readonly [unknown, RegExp][] = [
      [{ extAuthz: { timout: '1s' } }, /timout/],
      [{ extAuthz: { failureModeAllow: 'yes' } }, /failureModeAllow/],
      [{ agent: { port: 0 } }, /port/],
      [{ agent: { release: 'Bad_Release' } }, /release/],
      [{ workloadSelector: { labels: { app: 'a b' } } }, /labels/],
    ];
    for (const helm of HELMS) {
      await Promise.all(
        bad.map(async ([values, key]) => {
          await assert.rejects(
            helmTemplateText(helm, chart, { release: 'sluice', namespace: 'istio-system', values }),
            (error: Error) => {
              assert.match(error.message, /values don't meet the specifications of the schema|schema/i);
              assert.match(error.message, key);
              return true;
            },
          );
        }),
      );
    }
  });
});
