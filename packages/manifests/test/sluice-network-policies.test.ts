import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { SluicePlatform, type SluicePlatformProps } from '../src/constructs/platform/sluice-platform.js';
import { HELMS, helmTemplate, type Manifest, synthesise } from './support/helm.js';
import {
  type Cluster,
  type Destination,
  ingressAllowed,
  type Labels,
  type Source,
} from './support/network-policy-evaluator.js';

type PodSource = Extract<Source, { kind: 'pod' }>;
import { CHARTS_DIRECTORY } from './support/rendered-installs.js';

/**
 * The optional NetworkPolicies (`networkPolicy.enabled`), judged by what they admit: a NetworkPolicy
 * evaluator (test/support) runs connections from sidecars, Prometheus, the kubelet, sluicectl and
 * arbitrary pods against the policies rendered by synthesis and by `helm template` (Helm 3 and 4) of the
 * committed chart, with the real pod labels of the rendered DaemonSet and Deployment.
 *
 * Kubelet probes come from the pod's node, which NetworkPolicy always admits (the evaluator models that
 * documented exception); most CNIs implement it, and a CNI that filters node traffic needs the node
 * addresses admitted by a policy of its own.
 */

type Any = Record<string, any>;

const RELEASE = { release: 'sluice', namespace: 'sluice-system' } as const;
const NAMESPACES: Record<string, Labels> = {
  'sluice-system': {},
  shop: { 'istio-injection': 'enabled' },
  payments: { 'istio-injection': 'enabled' },
  monitoring: {},
  ops: {},
};

/** The same values rendered three ways; each rendering is checked alike. */
async function renderings(values: SluicePlatformProps): Promise<{ label: string; manifests: Manifest[] }[]> {
  const synthesised = synthesise((scope) => new SluicePlatform(scope, 'sluice', { ...RELEASE, ...values }));
  const rendered = await Promise.all(
    HELMS.map(async (helm) => ({
      label: `helm ${helm.major}`,
      manifests: await helmTemplate(helm, resolve(CHARTS_DIRECTORY, 'sluice'), { ...RELEASE, values }),
    })),
  );
  return [{ label: 'synthesis', manifests: synthesised }, ...rendered];
}

interface World {
  readonly cluster: Cluster;
  readonly agent: Destination & { readonly grpc: number; readonly http: number };
  readonly controller: Destination & { readonly grpc: number; readonly http: number; readonly api: number };
  readonly agentPod: PodSource;
}

/** The cluster the policies land in, with the agent and controller pods as the workloads render them. */
function world(manifests: readonly Manifest[]): World {
  const pod = (kind: string): Destination & { grpc: number; http: number; api: number } => {
    const workload = manifests.find((m) => m.kind === kind) as Any;
    const template = workload.spec.template;
    const ports = template.spec.containers[0].ports as { name: string; containerPort: number }[];
    const port = (name: string) => ports.find((p) => p.name === name)?.containerPort as number;
    return {
      namespace: workload.metadata.namespace,
      labels: template.metadata.labels,
      ports,
      grpc: port('grpc'),
      http: port('http'),
      api: port('api'),
    };
  };
  const agent = pod('DaemonSet');
  return {
    cluster: { namespaces: NAMESPACES, policies: manifests.filter((m) => m.kind === 'NetworkPolicy') },
    agent,
    controller: pod('Deployment'),
    agentPod: { kind: 'pod', namespace: agent.namespace, labels: agent.labels },
  };
}

const podIn = (namespace: string, labels: Labels = { app: 'web' }): Source => ({
  kind: 'pod',
  namespace,
  labels,
});
const sidecar = (namespace: string) => podIn(namespace, { app: 'web', 'security.istio.io/tlsMode': 'istio' });
const prometheus = podIn('monitoring', { 'app.kubernetes.io/name': 'prometheus' });
const sluicectl = podIn('ops', { app: 'sluicectl' });
const kubelet: Source = { kind: 'node' };

interface Expectation {
  readonly what: string;
  readonly from: (w: World) => Source;
  readonly to: (w: World) => Destination;
  readonly port: (w: World) => number;
  readonly allowed: boolean;
}

/** Who may reach what with the default networkPolicy values. */
const DEFAULT_EXPECTATIONS: readonly Expectation[] = [
  {
    what: 'a sidecar in shop → agent gRPC',
    from: () => sidecar('shop'),
    to: (w) => w.agent,
    port: (w) => w.agent.grpc,
    allowed: true,
  },
  {
    what: 'a sidecar in payments → agent gRPC (any namespace)',
    from: () => sidecar('payments'),
    to: (w) => w.agent,
    port: (w) => w.agent.grpc,
    allowed: true,
  },
  {
    what: 'a pod in sluice-system → agent gRPC',
    from: () => podIn('sluice-system'),
    to: (w) => w.agent,
    port: (w) => w.agent.grpc,
    allowed: true,
  },
  {
    what: 'the kubelet → agent HTTP (probes)',
    from: () => kubelet,
    to: (w) => w.agent,
    port: (w) => w.agent.http,
    allowed: true,
  },
  {
    what: 'the kubelet → controller HTTP (probes)',
    from: () => kubelet,
    to: (w) => w.controller,
    port: (w) => w.controller.http,
    allowed: true,
  },
  {
    what: 'Prometheus → agent HTTP (scrape)',
    from: () => prometheus,
    to: (w) => w.agent,
    port: (w) => w.agent.http,
    allowed: true,
  },
  {
    what: 'Prometheus → controller HTTP (scrape)',
    from: () => prometheus,
    to: (w) => w.controller,
    port: (w) => w.controller.http,
    allowed: true,
  },
  {
    what: 'the agent → controller gRPC (AgentSync)',
    from: (w) => w.agentPod,
    to: (w) => w.controller,
    port: (w) => w.controller.grpc,
    allowed: true,
  },
  {
    what: 'a sidecar in shop → agent HTTP',
    from: () => sidecar('shop'),
    to: (w) => w.agent,
    port: (w) => w.agent.http,
    allowed: false,
  },
  {
    what: 'an arbitrary pod → controller gRPC',
    from: () => podIn('shop'),
    to: (w) => w.controller,
    port: (w) => w.controller.grpc,
    allowed: false,
  },
  {
    what: 'a non-agent pod of sluice-system → controller gRPC',
    from: () => podIn('sluice-system', { app: 'debug' }),
    to: (w) => w.controller,
    port: (w) => w.controller.grpc,
    allowed: false,
  },
  {
    what: 'an agent of another release → controller gRPC',
    from: (w) => ({ ...w.agentPod, labels: { ...w.agentPod.labels, 'app.kubernetes.io/instance': 'other' } }),
    to: (w) => w.controller,
    port: (w) => w.controller.grpc,
    allowed: false,
  },
  {
    what: 'Prometheus → controller gRPC',
    from: () => prometheus,
    to: (w) => w.controller,
    port: (w) => w.controller.grpc,
    allowed: false,
  },
  {
    what: 'an arbitrary pod → controller HTTP (probes, metrics)',
    from: () => podIn('shop'),
    to: (w) => w.controller,
    port: (w) => w.controller.http,
    allowed: false,
  },
  {
    what: 'an arbitrary pod → controller API',
    from: () => podIn('shop'),
    to: (w) => w.controller,
    port: (w) => w.controller.api,
    allowed: false,
  },
  {
    what: 'sluicectl in ops → controller API (apiNamespaces empty)',
    from: () => sluicectl,
    to: (w) => w.controller,
    port: (w) => w.controller.api,
    allowed: false,
  },
  {
    what: 'Prometheus → controller API (scrapes reach only the HTTP port)',
    from: () => prometheus,
    to: (w) => w.controller,
    port: (w) => w.controller.api,
    allowed: false,
  },
  {
    what: 'a sidecar → an agent port Sluice does not serve',
    from: () => sidecar('shop'),
    to: (w) => w.agent,
    port: () => 9999,
    allowed: false,
  },
];

function check(label: string, w: World, expectations: readonly Expectation[]): void {
  for (const e of expectations) {
    assert.equal(
      ingressAllowed(w.cluster, e.from(w), e.to(w), e.port(w)),
      e.allowed,
      `${label}: ${e.what} should be ${e.allowed ? 'allowed' : 'denied'}`,
    );
  }
}

/** An ingress rule with no `from` or no `ports` admits every source or port: never rendered. */
function assertNoOpenRule(label: string, manifests: readonly Manifest[]): void {
  for (const policy of manifests.filter((m) => m.kind === 'NetworkPolicy') as Any[]) {
    for (const rule of policy.spec.ingress as Any[]) {
      assert.ok(
        rule.from?.length > 0,
        `${label} ${policy.metadata.name}: a rule without sources admits everyone`,
      );
      assert.ok(
        rule.ports?.length > 0,
        `${label} ${policy.metadata.name}: a rule without ports admits every port`,
      );
    }
    assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
  }
}

describe('the evaluator follows NetworkPolicy semantics', () => {
  const select = { matchLabels: { app: 'db' } };
  const db: Destination = {
    namespace: 'data',
    labels: { app: 'db' },
    ports: [{ name: 'sql', containerPort: 5432 }],
  };
  const policy = (ingress: unknown[]) => ({
    kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: 'data' },
    spec: { podSelector: select, ingress },
  });
  const cluster = (...policies: Any[]): Cluster => ({
    namespaces: { data: {}, web: { team: 'web' } },
    policies,
  });
  const web = podIn('web', { app: 'web' });

  it('a pod no policy selects admits everything; an empty ingress list admits nothing but the node', () => {
    assert.equal(ingressAllowed(cluster(), web, db, 5432), true);
    assert.equal(ingressAllowed(cluster(policy([])), web, db, 5432), false);
    assert.equal(ingressAllowed(cluster(policy([])), kubelet, db, 5432), true);
  });

  it('a rule without from admits every source; without ports every port', () => {
    assert.equal(ingressAllowed(cluster(policy([{ ports: [{ port: 5432 }] }])), web, db, 5432), true);
    assert.equal(ingressAllowed(cluster(policy([{ ports: [{ port: 5432 }] }])), web, db, 22), false);
    assert.equal(
      ingressAllowed(cluster(policy([{ from: [{ podSelector: {} }] }])), podIn('data'), db, 22),
      true,
    );
  });

  it('namespaceSelector and podSelector in one peer are AND; in two peers OR; podSelector alone is the policy namespace', () => {
    const and = policy([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { team: 'web' } },
            podSelector: { matchLabels: { app: 'api' } },
          },
        ],
      },
    ]);
    const or = policy([
      {
        from: [
          { namespaceSelector: { matchLabels: { team: 'web' } } },
          { podSelector: { matchLabels: { app: 'api' } } },
        ],
      },
    ]);
    assert.equal(ingressAllowed(cluster(and), web, db, 5432), false);
    assert.equal(ingressAllowed(cluster(or), web, db, 5432), true);
    assert.equal(ingressAllowed(cluster(or), podIn('data', { app: 'api' }), db, 5432), true);
    assert.equal(ingressAllowed(cluster(or), podIn('other', { app: 'api' }), db, 5432), false);
  });

  it('named ports resolve against the destination container; In and NotIn match label values', () => {
    const named = policy([{ from: [{ namespaceSelector: {} }], ports: [{ port: 'sql' }] }]);
    assert.equal(ingressAllowed(cluster(named), web, db, 5432), true);
    assert.equal(ingressAllowed(cluster(named), web, db, 5433), false);
    const byName = policy([
      {
        from: [
          {
            namespaceSelector: {
              matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['web'] }],
            },
          },
        ],
      },
    ]);
    assert.equal(ingressAllowed(cluster(byName), web, db, 5432), false);
    assert.equal(ingressAllowed(cluster(byName), podIn('data'), db, 5432), true);
  });
});

describe('Sluice NetworkPolicies', () => {
  it('are off by default: nothing is rendered and nothing is isolated', async () => {
    for (const { label, manifests } of await renderings({})) {
      assert.deepEqual(
        manifests.filter((m) => m.kind === 'NetworkPolicy'),
        [],
        label,
      );
      const w = world(manifests);
      assert.equal(ingressAllowed(w.cluster, podIn('shop'), w.controller, w.controller.grpc), true, label);
    }
  });

  it('with defaults: sidecars anywhere, probes and scrapes reach what they need; nothing else reaches the controller', async () => {
    const rendered = await renderings({ networkPolicy: { enabled: true } });
    for (const { label, manifests } of rendered) {
      assert.deepEqual(
        manifests.filter((m) => m.kind === 'NetworkPolicy').map((m) => m.metadata.name),
        ['sluice-agent', 'sluice-controller'],
        label,
      );
      assertNoOpenRule(label, manifests);
      check(label, world(manifests), DEFAULT_EXPECTATIONS);
    }
    // The three renderers agree object for object.
    const [first, ...others] = rendered.map(({ manifests }) =>
      manifests.filter((m) => m.kind === 'NetworkPolicy'),
    );
    for (const other of others) assert.deepEqual(other, first);
  });

  it('sidecarNamespaces and apiNamespaces narrow and widen by namespace name', async () => {
    const values = { networkPolicy: { enabled: true, sidecarNamespaces: ['shop'], apiNamespaces: ['ops'] } };
    for (const { label, manifests } of await renderings(values)) {
      assertNoOpenRule(label, manifests);
      check(label, world(manifests), [
        {
          what: 'a sidecar in shop → agent gRPC',
          from: () => sidecar('shop'),
          to: (w) => w.agent,
          port: (w) => w.agent.grpc,
          allowed: true,
        },
        {
          what: 'a sidecar in payments → agent gRPC (not listed)',
          from: () => sidecar('payments'),
          to: (w) => w.agent,
          port: (w) => w.agent.grpc,
          allowed: false,
        },
        {
          what: 'sluicectl in ops → controller API',
          from: () => sluicectl,
          to: (w) => w.controller,
          port: (w) => w.controller.api,
          allowed: true,
        },
        {
          what: 'sluicectl in ops → controller HTTP (probes and metrics are not the API)',
          from: () => sluicectl,
          to: (w) => w.controller,
          port: (w) => w.controller.http,
          allowed: false,
        },
        {
          what: 'sluicectl in ops → controller gRPC',
          from: () => sluicectl,
          to: (w) => w.controller,
          port: (w) => w.controller.grpc,
          allowed: false,
        },
        {
          what: 'the agent → controller gRPC',
          from: (w) => w.agentPod,
          to: (w) => w.controller,
          port: (w) => w.controller.grpc,
          allowed: true,
        },
        {
          what: 'Prometheus → controller HTTP',
          from: () => prometheus,
          to: (w) => w.controller,
          port: (w) => w.controller.http,
          allowed: true,
        },
      ]);
    }
  });

  it('no metrics namespaces: the HTTP rules go away instead of opening the port; probes still pass', async () => {
    const values = { networkPolicy: { enabled: true, metricsNamespaces: [] } };
    for (const { label, manifests } of await renderings(values)) {
      assertNoOpenRule(label, manifests);
      check(label, world(manifests), [
        {
          what: 'Prometheus → agent HTTP',
          from: () => prometheus,
          to: (w) => w.agent,
          port: (w) => w.agent.http,
          allowed: false,
        },
        {
          what: 'Prometheus → controller HTTP',
          from: () => prometheus,
          to: (w) => w.controller,
          port: (w) => w.controller.http,
          allowed: false,
        },
        {
          what: 'the kubelet → agent HTTP',
          from: () => kubelet,
          to: (w) => w.agent,
          port: (w) => w.agent.http,
          allowed: true,
        },
        {
          what: 'a sidecar → agent gRPC',
          from: () => sidecar('shop'),
          to: (w) => w.agent,
          port: (w) => w.agent.grpc,
          allowed: true,
        },
      ]);
      const agentPolicy = manifests.find(
        (m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'sluice-agent',
      ) as Any;
      assert.equal(agentPolicy.spec.ingress.length, 1, label);
    }
  });

  it('moved ports move with the policies', async () => {
    const values = {
      networkPolicy: { enabled: true },
      agent: { ports: { grpc: 9080, http: 9081 } },
      controller: { ports: { grpc: 9090, http: 9091, api: 9092 } },
    };
    for (const { label, manifests } of await renderings(values)) {
      const w = world(manifests);
      assert.deepEqual([w.agent.grpc, w.controller.grpc, w.controller.api], [9080, 9090, 9092]);
      check(label, w, DEFAULT_EXPECTATIONS);
      assert.equal(
        ingressAllowed(w.cluster, sidecar('shop'), w.agent, 8080),
        false,
        `${label}: the old port is closed`,
      );
    }
  });

  it('several controller replicas: the address agents dial, the headless peers Service, leads to the controller pods on the gRPC port agents are admitted to', async () => {
    const values = { networkPolicy: { enabled: true }, controller: { replicas: 3, ports: { grpc: 9090 } } };
    for (const { label, manifests } of await renderings(values)) {
      const w = world(manifests);
      const config = manifests.find(
        (m) => m.kind === 'ConfigMap' && m.metadata.name === 'sluice-agent',
      ) as Any;
      const [, serviceName, namespace, port] =
        /^controller: "dns:\/\/\/([^.]+)\.([^.]+)\.svc:([0-9]+)"$/m.exec(config.data['agent.yaml']) ?? [];
      const service = manifests.find(
        (m) => m.kind === 'Service' && m.metadata.name === serviceName && m.metadata.namespace === namespace,
      ) as Any;
      assert.ok(service !== undefined, `${label}: the Service the agents dial is rendered`);
      // Headless: DNS answers the Ready pods' own addresses, so the agents connect to the pods on the port
      // of their address, which must be the controller container's gRPC port the policy admits them to.
      assert.equal(service.spec.clusterIP, 'None', label);
      for (const [key, value] of Object.entries(service.spec.selector as Labels))
        assert.equal(w.controller.labels[key], value, `${label}: the Service selects the controller pods`);
      assert.equal(Number(port), w.controller.grpc, label);
      assert.equal(ingressAllowed(w.cluster, w.agentPod, w.controller, Number(port)), true, label);
      assert.equal(
        ingressAllowed(w.cluster, podIn('sluice-system'), w.controller, Number(port)),
        false,
        label,
      );
    }
  });

  it('a half that is not deployed gets no policy', async () => {
    for (const { label, manifests } of await renderings({
      networkPolicy: { enabled: true },
      agent: { enabled: false },
    }))
      assert.deepEqual(
        manifests.filter((m) => m.kind === 'NetworkPolicy').map((m) => m.metadata.name),
        ['sluice-controller'],
        label,
      );
  });
});
