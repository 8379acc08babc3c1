import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ISTIO_CONFIG_CHART_DEFINITION } from '../src/chart/istio-config-chart.js';
import { IstioConfig } from '../src/constructs/istio/istio-config.js';
import { agentSidecarContainer } from '../src/constructs/agent/sluice-agent.js';
import { SluicePlatform } from '../src/constructs/platform/sluice-platform.js';
import {
  byKey,
  helm as runHelm,
  HELMS,
  helmTemplate,
  helmTemplateBatch,
  type Manifest,
  synthesise,
  writeChart,
} from './support/helm.js';
import { closedModelErrors, runtimeModelErrors } from './support/closed-models.js';
import { ISTIO_CASES, type IstioCase, synthesiseIstio } from './support/istio-cases.js';

const chart = writeChart(ISTIO_CONFIG_CHART_DEFINITION);

for (const helm of HELMS) {
  it(`helm ${helm.major} lint --strict is clean`, async () => {
    assert.match(
      await runHelm(helm, ['lint', '--strict', chart]),
      /1 chart\(s\) linted, 0 chart\(s\) failed/,
    );
  });

  it(`helm ${helm.major}: two releases in one namespace collide on no name; as a subchart with global values it renders as alone`, async () => {
    const values = {
      exactBalance: { inbound: 'envoyFilter', outbound: 'proxyMetadata', namespaces: ['demoapp'] },
    };
    const [first, second] = await Promise.all(
      ['mesh-a', 'mesh-b'].map((release) =>
        helmTemplate(helm, chart, { release, namespace: 'istio-system', values }),
      ),
    );
    const keys = [...(first ?? []), ...(second ?? [])].map(
      (m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`,
    );
    assert.equal(keys.length, 6);
    assert.equal(new Set(keys).size, keys.length, keys.join('\n'));
    const alone = byKey(
      await helmTemplate(helm, chart, {
        release: 'mesh',
        namespace: 'istio-system',
        values: { ...values, nameOverride: 'istioconfig' },
      }),
    );
    const [asSubchart] = await helmTemplateBatch(
      helm,
      chart,
      'istioconfig',
      [{ ...values, nameOverride: 'istioconfig', global: { team: 'mesh' } }],
      {
        release: 'mesh',
        namespace: 'istio-system',
      },
    );
    assert.deepEqual(byKey(asSubchart ?? []), alone);
  });

  describe(`istioconfig chart equals IstioConfig synthesis on Helm ${helm.major}`, () => {
    for (const testCase of ISTIO_CASES) {
      it(testCase.name, async () => {
        const rendered = byKey(await helmTemplate(helm, chart, testCase));
        const synthesised = byKey(synthesiseIstio(testCase));
        assert.deepEqual([...rendered.keys()].sort(), [...synthesised.keys()].sort());
        for (const [key, manifest] of synthesised) assert.deepEqual(rendered.get(key), manifest, key);
      });
    }
  });
}

type Patch = {
  applyTo: string;
  match: {
    context: string;
    listener?: { name?: string; filterChain?: { filter: { name: string; subFilter?: { name: string } } } };
  };
  patch: { operation: string; filterClass?: string; value: Record<string, any> };
};

const find = (name: string) => ISTIO_CASES.find((c) => c.name === name) as IstioCase;
const objects = (name: string) => byKey(synthesiseIstio(find(name)));
const envoyFilter = (all: Map<string, Manifest>, key: string) =>
  all.get(key) as Manifest & {
    spec: { configPatches: Patch[]; workloadSelector?: unknown; priority: number };
  };
const extAuthz = (patch: Patch) => patch.patch.value.typed_config;
const accessLog = (patch: Patch) => patch.patch.value.typed_config.access_log[0].typed_config;
const targets = (patches: readonly Patch[]) =>
  patches.map((p) =>
    p.applyTo === 'HTTP_FILTER'
      ? extAuthz(p).grpc_service.google_grpc.target_uri
      : accessLog(p).common_config.grpc_service.google_grpc.target_uri,
  );

describe('EnvoyFilter facts (reference aperture.md §9.2 items 1–2, Sluice names)', () => {
  it('defaults: one networking.istio.io/v1alpha3 EnvoyFilter sluice-istioconfig with 4 patches in Aperture order', () => {
    const all = objects('defaults');
    assert.deepEqual([...all.keys()], ['EnvoyFilter/istio-system/sluice-istioconfig']);
    const filter = envoyFilter(all, 'EnvoyFilter/istio-system/sluice-istioconfig');
    assert.equal(filter.apiVersion, 'networking.istio.io/v1alpha3');
    assert.equal(filter.spec.priority, 10);
    assert.equal(filter.spec.workloadSelector, undefined);
    assert.deepEqual(
      filter.spec.configPatches.map((p) => [
        p.applyTo,
        p.match.context,
        p.patch.operation,
        p.patch.filterClass ?? '-',
      ]),
      [
        ['NETWORK_FILTER', 'SIDECAR_INBOUND', 'MERGE', '-'],
        ['NETWORK_FILTER', 'SIDECAR_OUTBOUND', 'MERGE', '-'],
        ['HTTP_FILTER', 'SIDECAR_INBOUND', 'INSERT_BEFORE', 'AUTHZ'],
        ['HTTP_FILTER', 'SIDECAR_OUTBOUND', 'INSERT_BEFORE', 'AUTHZ'],
      ],
    );
    for (const patch of filter.spec.configPatches.slice(2))
      assert.equal(patch.match.listener?.filterChain?.filter.subFilter?.name, 'envoy.filters.http.router');
  });

  it('defaults: every target is sluice-agent.sluice-system.svc.cluster.local:8080; timeout 0.25s, fail open, no body buffering', () => {
    const patches = envoyFilter(objects('defaults'), 'EnvoyFilter/istio-system/sluice-istioconfig').spec
      .configPatches;
    assert.deepEqual(targets(patches), Array(4).fill('sluice-agent.sluice-system.svc.cluster.local:8080'));
    for (const patch of patches.slice(2)) {
      const config = extAuthz(patch);
      assert.equal(config.grpc_service.timeout, '0.25s');
      assert.equal(config.failure_mode_allow, true);
      assert.equal(config.failure_mode_allow_header_add, true);
      assert.deepEqual(config.status_on_error, { code: 'ServiceUnavailable' });
      // Buffering hangs streaming gRPC (istio#27777): never on by default, never in the mesh-wide filter.
      assert.equal(config.with_request_body, undefined);
      assert.deepEqual(config.grpc_service.google_grpc.channel_args.args, {
        'grpc.keepalive_time_ms': { int_value: 30000 },
        'grpc.keepalive_timeout_ms': { int_value: 10000 },
      });
      assert.equal(config.allowed_headers, undefined);
      assert.deepEqual(
        config.disallowed_headers.patterns.map(
          (p: { exact: string; ignore_case: boolean }) => `${p.exact}/${p.ignore_case}`,
        ),
        ['authorization/true', 'proxy-authorization/true', 'cookie/true', 'x-api-key/true', 'api-key/true'],
      );
    }
    assert.deepEqual(
      patches.slice(2).map((p) => extAuthz(p).grpc_service.initial_metadata),
      [[{ key: 'control-point', value: 'ingress' }], [{ key: 'control-point', value: 'egress' }]],
    );
  });

  it('defaults: access logs named ingress and egress with the 11 string attributes and Envoy batching defaults', () => {
    const patches = envoyFilter(
      objects('defaults'),
      'EnvoyFilter/istio-system/sluice-istioconfig',
    ).spec.configPatches.slice(0, 2);
    assert.deepEqual(
      patches.map((p) => accessLog(p).common_config.log_name),
      ['ingress', 'egress'],
    );
    for (const patch of patches) {
      const log = accessLog(patch);
      assert.equal(log.attributes.values.length, 11);
      assert.ok(
        log.attributes.values.every(
          (a: { value: Record<string, unknown> }) =>
            typeof a.value.string_value === 'string' && Object.keys(a.value).length === 1,
        ),
      );
      const attribute = (key: string) =>
        log.attributes.values.find((a: { key: string }) => a.key === key)?.value.string_value;
      assert.equal(attribute('RESPONSE_DURATION'), '%RESPONSE_DURATION%');
      assert.equal(
        attribute('authz_duration'),
        '%DYNAMIC_METADATA(envoy.filters.http.ext_authz:ext_authz_duration)%',
      );
      assert.equal(
        attribute('aperture.check_response'),
        '%DYNAMIC_METADATA(envoy.filters.http.ext_authz:aperture.check_response)%',
      );
      assert.equal(log.common_config.buffer_flush_interval, '1s');
      assert.equal(log.common_config.buffer_size_bytes, 16384);
      assert.equal(log.common_config.transport_api_version, 'V3');
      assert.deepEqual(log.body, { string_value: '%REQ(:METHOD)%' });
    }
  });

  it('the agent release and namespace set the target: edge-sluice-agent.mesh-control.svc.cluster.local:9080', () => {
    const patches = envoyFilter(
      objects('agent of release edge in mesh-control on 9080'),
      'EnvoyFilter/istio-system/sluice-istioconfig',
    ).spec.configPatches;
    assert.deepEqual(
      targets(patches),
      Array(4).fill('edge-sluice-agent.mesh-control.svc.cluster.local:9080'),
    );
  });

  it('sidecarMode: all 4 targets are localhost:18081', () => {
    const patches = envoyFilter(objects('sidecarMode'), 'EnvoyFilter/istio-system/sluice-istioconfig').spec
      .configPatches;
    assert.deepEqual(targets(patches), Array(4).fill('localhost:18081'));
  });

  it('ext_authz knobs: no body, fail closed with 403, credentials sent, only the allowed headers', () => {
    const patches = envoyFilter(objects('ext_authz knobs'), 'EnvoyFilter/istio-system/sluice-istioconfig')
      .spec.configPatches;
    const config = extAuthz(patches[2] as Patch);
    assert.equal(config.with_request_body, undefined);
    assert.equal(config.failure_mode_allow, false);
    assert.deepEqual(config.status_on_error, { code: 'Forbidden' });
    assert.equal(config.grpc_service.timeout, '0.5s');
    assert.equal(config.disallowed_headers, undefined);
    assert.deepEqual(config.allowed_headers, {
      patterns: [
        { exact: 'user-type', ignore_case: true },
        { exact: 'x-request-id', ignore_case: true },
      ],
    });
    assert.equal(
      config.grpc_service.google_grpc.channel_args.args['grpc.keepalive_time_ms'].int_value,
      60000,
    );
    assert.equal(accessLog(patches[0] as Patch).common_config.buffer_size_bytes, 4096);
  });

  it('workloadSelector app=service1 appears under spec; inbound metadata is svc-in; priority -5', () => {
    const filter = envoyFilter(
      objects('workload selector, control points and priority'),
      'EnvoyFilter/demoapp/sluice-istioconfig',
    );
    assert.deepEqual(filter.spec.workloadSelector, { labels: { app: 'service1' } });
    assert.equal(filter.spec.priority, -5);
    assert.equal(
      extAuthz(filter.spec.configPatches[2] as Patch).grpc_service.initial_metadata[0].value,
      'svc-in',
    );
    assert.equal(
      extAuthz(filter.spec.configPatches[3] as Patch).grpc_service.initial_metadata[0].value,
      'svc-out',
    );
  });

  it('gateways: a second EnvoyFilter, selecting istio: ingressgateway, with the two GATEWAY patches and control point edge', () => {
    const all = objects('gateways');
    const sidecars = envoyFilter(all, 'EnvoyFilter/istio-system/sluice-istioconfig').spec.configPatches;
    assert.equal(sidecars.length, 4);
    assert.equal(
      sidecars.some((p) => p.match.context === 'GATEWAY'),
      false,
    );
    const filter = envoyFilter(all, 'EnvoyFilter/istio-system/sluice-istioconfig-gateways');
    // Context GATEWAY alone would reach egress and east-west gateways: the selector keeps it to ingress.
    assert.deepEqual(filter.spec.workloadSelector, { labels: { istio: 'ingressgateway' } });
    const patches = filter.spec.configPatches;
    assert.deepEqual(
      patches.map((p) => [p.applyTo, p.match.context]),
      [
        ['NETWORK_FILTER', 'GATEWAY'],
        ['HTTP_FILTER', 'GATEWAY'],
      ],
    );
    assert.equal(extAuthz(patches[1] as Patch).grpc_service.initial_metadata[0].value, 'edge');
    assert.equal(accessLog(patches[0] as Patch).common_config.log_name, 'gateway');
  });

  it('fullname override names the filter; a release that is not sluice still derives the agent from agent.release', () => {
    const all = objects('fullname override in an app namespace');
    assert.deepEqual([...all.keys()], ['EnvoyFilter/apps/flow-filter']);
  });
});

describe('typed IstioConfig', () => {
  it('defaults to the istio-system namespace and release sluice', () => {
    const keys = [...byKey(synthesise((scope) => new IstioConfig(scope, 'istio'))).keys()];
    assert.deepEqual(keys, ['EnvoyFilter/istio-system/sluice-istioconfig']);
  });

  it('extension-provider mode gives the meshConfig Istio needs, with the timeout always written', () => {
    let config: ReturnType<IstioConfig['meshConfig']> | undefined;
    synthesise((scope) => {
      config = new IstioConfig(scope, 'istio', {
        mode: 'extensionProvider',
        agent: { release: 'edge' },
        workloadSelector: { labels: { app: 'shop' } },
        extensionProvider: { meshConfigReady: true },
      }).meshConfig();
    });
    const [authz, log] = config?.extensionProviders ?? [];
    assert.deepEqual(authz, {
      name: 'sluice-ext-authz',
      envoyExtAuthzGrpc: {
        service: 'edge-sluice-agent.sluice-system.svc.cluster.local',
        port: 8080,
        timeout: '0.25s',
        failOpen: true,
        statusOnError: '503',
      },
    });
    assert.equal((log as { name: string }).name, 'sluice-access-log');
    assert.throws(
      () =>
        synthesise((scope) =>
          new IstioConfig(scope, 'i', {
            mode: 'extensionProvider',
            sidecarMode: { enabled: true },
            workloadSelector: { labels: { app: 'shop' } },
            extensionProvider: { meshConfigReady: true },
          }).meshConfig(),
        ),
      /sidecarMode\.enabled needs mode envoyFilter/,
    );
  });

  it("the derived target is the agent Service the sluice chart's release really creates", () => {
    for (const release of [
      'sluice',
      'edge',
      'sluice-canary',
      'a-very-long-release-name-that-tests-the-truncation-ru',
    ]) {
      const agent = synthesise((scope) => new SluicePlatform(scope, 's', { release, namespace: 'ops' })).find(
        (m) => m.kind === 'Service' && /-agent$/.test(m.metadata.name),
      );
      const [filter] = synthesise(
        (scope) => new IstioConfig(scope, 'i', { agent: { release, namespace: 'ops' } }),
      ) as Manifest[];
      const patches = (filter as unknown as { spec: { configPatches: Patch[] } }).spec.configPatches;
      assert.deepEqual(
        new Set(targets(patches)),
        new Set([`${agent?.metadata.name}.ops.svc.cluster.local:8080`]),
        release,
      );
    }
  });

  it('sidecarMode dials the port the agent sidecar container listens on', () => {
    const container = agentSidecarContainer({ ports: { grpc: 18081, http: 18082 } }) as {
      ports: { name: string; containerPort: number }[];
    };
    const port = container.ports.find((p) => p.name === 'grpc')?.containerPort;
    const [filter] = synthesise(
      (scope) => new IstioConfig(scope, 'istio', { sidecarMode: { enabled: true, port } }),
    ) as Manifest[];
    const patches = (filter as unknown as { spec: { configPatches: Patch[] } }).spec.configPatches;
    assert.deepEqual(new Set(targets(patches)), new Set(['localhost:18081']));
  });

  it('refuses bad props naming the path, value and rule', () => {
    assert.throws(
      () => synthesise((scope) => new IstioConfig(scope, 'i', { extAuthz: { timeout: '250ms' } })),
      /extAuthz\.timeout: "250ms" is not allowed; must be seconds such as 0\.25s/,
    );
    assert.throws(
      () => synthesise((scope) => new IstioConfig(scope, 'i', { agent: { port: 70000 } })),
      /agent\.port: 70000 is not allowed/,
    );
    assert.throws(
      () => synthesise((scope) => new IstioConfig(scope, 'i', { extAuthz: { timout: '1s' } } as never)),
      /extAuthz.*timout/,
    );
  });
});

describe('every object of the matrix validates closed against @kubernetes-models', () => {
  const all = ISTIO_CASES.flatMap((testCase) => synthesiseIstio(testCase));

  it(`the TypeScript interfaces accept all ${'matrix'} objects (no unknown key at any depth)`, async () => {
    assert.ok(all.length >= 20, `only ${all.length} objects`);
    assert.deepEqual(closedModelErrors(all), []);
    assert.deepEqual(await runtimeModelErrors(all), []);
  });

  it('a one-letter typo is refused for each kind', () => {
    const kinds = new Map<string, Manifest>();
    for (const object of all) if (!kinds.has(object.kind)) kinds.set(object.kind, object);
    assert.deepEqual([...kinds.keys()].sort(), [
      'AuthorizationPolicy',
      'EnvoyFilter',
      'PeerAuthentication',
      'ProxyConfig',
      'Telemetry',
    ]);
    const typos = [...kinds.values()].map((object) => {
      const copy = structuredClone(object) as Record<string, any>;
      const spec = copy.spec as Record<string, unknown>;
      const [first] = Object.keys(spec);
      spec[`${first}x`] = spec[first as string];
      delete spec[first as string];
      return copy as Manifest;
    });
    const errors = closedModelErrors(typos);
    assert.equal(
      new Set(errors.map((e) => /^object (\d+)/.exec(e)?.[1])).size,
      typos.length,
      errors.join('\n'),
    );
  });
});
