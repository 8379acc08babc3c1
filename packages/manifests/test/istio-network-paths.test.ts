import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IstioConfig } from '../src/constructs/istio/istio-config.js';
import { SluicePlatform } from '../src/constructs/platform/sluice-platform.js';
import { TenantGateways } from '../src/constructs/tenants/tenant-gateways.js';
import { byKey, type Manifest, synthesise } from './support/helm.js';

/**
 * Every network path of a Sluice install with its protection, or the reason it is outside STRICT mTLS
 * (DESIGN, "Mesh security stance"). This is a static check of the generated objects: no Istio runs here,
 * so it proves what the manifests say, not what a live mesh does.
 */

const platform = byKey(
  synthesise(
    (scope) =>
      new SluicePlatform(scope, 'sluice', {
        agent: { redis: { url: 'rediss://redis.cache.svc:6380', existingSecret: 'redis-auth' } },
        controller: { apiToken: { existingSecret: 'api' } },
      }),
  ),
);
const istio = byKey(
  synthesise(
    (scope) =>
      new IstioConfig(scope, 'istio', { mtls: { mode: 'namespaces', namespaces: ['demoapp', 'shop'] } }),
  ),
);
const tenants = byKey(
  synthesise(
    (scope) =>
      new TenantGateways(scope, 'tenants', {
        tenants: [{ name: 'shop', hosts: ['shop.example.com'], backend: { service: 'web', port: 8080 } }],
      }),
  ),
);
const everything = [...platform.values(), ...istio.values(), ...tenants.values()];

type Any = Record<string, any>;
const get = (map: Map<string, Manifest>, key: string): Any => {
  const manifest = map.get(key);
  assert.ok(manifest, `${key} is generated`);
  return manifest as Any;
};
const podAnnotations = (workload: Any) =>
  workload.spec.template.metadata.annotations as Record<string, string>;
const container = (workload: Any) => workload.spec.template.spec.containers[0] as Any;
const extAuthzPatches = () =>
  (get(istio, 'EnvoyFilter/istio-system/sluice-istioconfig').spec.configPatches as Any[]).filter(
    (p) => p.applyTo === 'HTTP_FILTER',
  );

interface NetworkPath {
  readonly from: string;
  readonly to: string;
  /** `in`: covered by STRICT mTLS; otherwise why it is outside STRICT's scope. */
  readonly strict: 'in' | { readonly outOfScope: string };
  readonly protection: string;
  /** Asserts the generated objects carry the protection. */
  readonly check: () => void;
}

const PATHS: readonly NetworkPath[] = [
  {
    from: 'sidecar (Envoy ext_authz)',
    to: 'agent :8080 Check',
    strict: {
      outOfScope:
        "Envoy's own google_grpc client: iptables does not capture it, and the agent has no sidecar",
    },
    protection:
      'node-local (internalTrafficPolicy Local); credential headers withheld; no DestinationRule on sluice-system',
    check: () => {
      for (const patch of extAuthzPatches()) {
        assert.ok(
          patch.patch.value.typed_config.grpc_service.google_grpc,
          'google_grpc, not envoy_grpc through a mesh cluster',
        );
        assert.deepEqual(
          patch.patch.value.typed_config.disallowed_headers.patterns.slice(0, 3).map((p: Any) => p.exact),
          ['authorization', 'proxy-authorization', 'cookie'],
        );
      }
      assert.equal(get(platform, 'Service/sluice-system/sluice-agent').spec.internalTrafficPolicy, 'Local');
      assert.equal(
        everything.some((m) => m.kind === 'DestinationRule'),
        false,
      );
    },
  },
  {
    from: 'sidecar (OTel access log)',
    to: 'agent :8080 logs',
    strict: { outOfScope: 'Envoy-originated like the Check; the agent namespace is outside the mesh' },
    protection:
      'node-local; records carry no request headers or bodies, only the decision, status and durations',
    check: () => {
      const log = get(istio, 'EnvoyFilter/istio-system/sluice-istioconfig').spec.configPatches[0].patch.value
        .typed_config.access_log[0].typed_config;
      assert.ok(log.common_config.grpc_service.google_grpc);
      assert.equal(
        JSON.stringify(log.attributes).includes('%REQ('),
        false,
        'no request header is logged as an attribute',
      );
    },
  },
  {
    from: 'agent',
    to: 'controller :8090 AgentSync',
    strict: { outOfScope: 'both run in sluice-system, outside the mesh (no sidecars)' },
    protection: 'cluster-internal Service only (ClusterIP), address derived from release and namespace',
    check: () => {
      assert.equal(
        podAnnotations(get(platform, 'DaemonSet/sluice-system/sluice-agent'))['sidecar.istio.io/inject'],
        'false',
      );
      assert.equal(
        podAnnotations(get(platform, 'Deployment/sluice-system/sluice-controller'))[
          'sidecar.istio.io/inject'
        ],
        'false',
      );
      assert.equal(get(platform, 'Service/sluice-system/sluice-controller').spec.type, 'ClusterIP');
    },
  },
  {
    from: 'agent',
    to: 'Redis',
    strict: { outOfScope: 'Redis is outside Sluice; the agent has no sidecar to originate mTLS' },
    protection: 'TLS when the URL is rediss://; credentials from a Secret, never in values',
    check: () => {
      const env = container(get(platform, 'DaemonSet/sluice-system/sluice-agent')).env as Any[];
      assert.deepEqual(
        env.find((e) => e.name === 'REDIS_PASSWORD')?.valueFrom.secretKeyRef.name,
        'redis-auth',
      );
      assert.match(
        get(platform, 'ConfigMap/sluice-system/sluice-agent').data['agent.yaml'],
        /redisUrl: "rediss:/,
      );
    },
  },
  {
    from: 'Prometheus scrape',
    to: 'agent :8081 / controller :8091 /metrics',
    strict: {
      outOfScope:
        'non-mesh pods: STRICT cannot lock scrapers out of them (the usual STRICT-breaks-scraping pitfall does not arise)',
    },
    protection: 'read-only endpoints; the controller API needs the bearer token',
    check: () => {
      const env = container(get(platform, 'Deployment/sluice-system/sluice-controller')).env as Any[];
      assert.ok(
        env.some((e) => e.valueFrom?.secretKeyRef?.name === 'api'),
        'API token from its Secret',
      );
    },
  },
  {
    from: 'kubelet',
    to: 'agent and controller probes',
    strict: {
      outOfScope: 'the kubelet is not in the mesh, and the probed pods have no sidecar to rewrite probes',
    },
    protection: 'HTTP GET on the named http port, no credentials',
    check: () => {
      for (const key of [
        'DaemonSet/sluice-system/sluice-agent',
        'Deployment/sluice-system/sluice-controller',
      ]) {
        assert.equal(container(get(platform, key)).readinessProbe.httpGet.port, 'http');
      }
    },
  },
  {
    from: 'application sidecar',
    to: 'application sidecar',
    strict: 'in',
    protection:
      'PeerAuthentication STRICT in the application namespaces (or mesh-wide), never in sluice-system',
    check: () => {
      const policies = everything.filter((m) => m.kind === 'PeerAuthentication');
      assert.deepEqual(
        policies.map((m) => `${m.metadata.namespace}/${(m as Any).spec.mtls.mode}`),
        ['demoapp/STRICT', 'shop/STRICT'],
      );
    },
  },
  {
    from: 'client / cloud load balancer',
    to: 'tenant ingress gateway :443',
    strict: { outOfScope: 'traffic from outside the mesh' },
    protection:
      "TLS terminated at the tenant's gateway with its own cert-manager certificate; port 80 only redirects",
    check: () => {
      const servers = get(tenants, 'Gateway/shop/shop-gateway').spec.servers as Any[];
      assert.deepEqual(
        servers.map((s) => [s.port.number, s.tls.mode ?? 'redirect']),
        [
          [80, 'redirect'],
          [443, 'SIMPLE'],
        ],
      );
      assert.equal(servers[1]?.tls.credentialName, get(tenants, 'Certificate/shop/shop-tls').spec.secretName);
    },
  },
  {
    from: 'tenant ingress gateway',
    to: 'tenant backend',
    strict: 'in',
    protection:
      'mesh mTLS (gateway and backend both carry sidecars / proxies); the VirtualService routes by cluster DNS name',
    check: () => {
      const route = get(tenants, 'VirtualService/shop/shop').spec.http[0].route[0].destination;
      assert.equal(route.host, 'web.shop.svc.cluster.local');
    },
  },
];

describe('every network path is listed with its protection (static check)', () => {
  it('the list covers the paths DESIGN names', () => {
    const named = PATHS.map((p) => `${p.from} -> ${p.to}`).join('\n');
    for (const required of [/Check/, /logs/, /AgentSync/, /Redis/, /metrics/, /probes/])
      assert.match(named, required);
    assert.equal(PATHS.length, 9);
    assert.deepEqual(
      PATHS.filter((p) => p.strict === 'in').map((p) => p.to),
      ['application sidecar', 'tenant backend'],
    );
  });

  for (const path of PATHS) {
    it(`${path.from} -> ${path.to}: ${path.strict === 'in' ? 'STRICT mTLS' : 'outside STRICT'}; ${path.protection}`, () => {
      if (path.strict !== 'in')
        assert.ok(path.strict.outOfScope.length > 20, 'an out-of-scope path says why');
      path.check();
    });
  }
});
