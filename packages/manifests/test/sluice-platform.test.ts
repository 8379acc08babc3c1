import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SLUICE_CHART_DEFINITION } from '../src/chart/charts.js';
import { SluicePlatform, type SluicePlatformProps } from '../src/constructs/platform/sluice-platform.js';
import { byKey, HELMS, helmTemplate, synthesise, writeChart } from './support/helm.js';

const chart = writeChart(SLUICE_CHART_DEFINITION);

interface Case {
  readonly name: string;
  readonly release: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
}

/** The fixed matrix of the issue (defaults; release and namespace; resources; Redis secret; token) and the switches. */
const CASES: readonly Case[] = [
  { name: 'defaults', release: 'sluice', namespace: 'sluice-system', values: {} },
  { name: 'custom release and namespace', release: 'edge', namespace: 'mesh-control', values: {} },
  {
    name: 'resources',
    release: 'sluice',
    namespace: 'sluice-system',
    values: {
      agent: {
        resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '2', memory: '1Gi' } },
      },
      controller: { resources: { requests: { cpu: '50m' }, limits: {} } },
    },
  },
  {
    name: 'redis secret',
    release: 'sluice',
    namespace: 'sluice-system',
    values: {
      agent: {
        redis: {
          url: 'redis://redis.cache.svc:6379/2',
          existingSecret: 'redis-auth',
          passwordKey: 'redis-password',
        },
      },
    },
  },
  {
    name: 'api token',
    release: 'sluice',
    namespace: 'sluice-system',
    values: { controller: { apiToken: { existingSecret: 'sluice-api', key: 'bearer' } } },
  },
  {
    name: 'agent only',
    release: 'sluice',
    namespace: 'sluice-system',
    values: { controller: { enabled: false } },
  },
  {
    name: 'controller only',
    release: 'sluice',
    namespace: 'sluice-system',
    values: { agent: { enabled: false } },
  },
  {
    name: 'overrides and edge values',
    release: 'sluice-prod',
    namespace: 'prod',
    values: {
      nameOverride: 'flow',
      agent: {
        image: { tag: '1.0', pullPolicy: 'Always' },
        priorityClassName: '',
        drainSeconds: 0,
        tolerations: [],
        ports: { grpc: 9080, http: 9081 },
        controllerAddress: 'controller.elsewhere.svc:443',
      },
      controller: { ports: { grpc: 9090 }, logLevel: 'debug' },
    },
  },
  { name: 'fullname override', release: 'x', namespace: 'y', values: { fullnameOverride: 'gate' } },
  {
    name: 'leader election and network policies',
    release: 'edge',
    namespace: 'mesh-control',
    values: {
      controller: { replicas: 3 },
      networkPolicy: {
        enabled: true,
        sidecarNamespaces: ['shop', 'payments'],
        metricsNamespaces: ['observability'],
        apiNamespaces: ['ops'],
      },
    },
  },
  { name: 'release containing the chart name', release: 'sluice-canary', namespace: 'canary', values: {} },
  {
    name: 'several replicas on a moved gRPC port',
    release: 'sluice',
    namespace: 'sluice-system',
    values: { controller: { replicas: 2, ports: { grpc: 9090 } } },
  },
  {
    name: 'several replicas, agents pointed at other replicas',
    release: 'sluice',
    namespace: 'sluice-system',
    values: {
      controller: { replicas: 3 },
      agent: { controllerAddress: 'dns:///ctl-peers.other.svc:8090' },
    },
  },
];

for (const helm of HELMS) {
  describe(`sluice chart equals SluicePlatform synthesis on Helm ${helm.major}`, () => {
    for (const testCase of CASES) {
      it(testCase.name, async () => {
        const rendered = byKey(await helmTemplate(helm, chart, testCase));
        const synthesised = byKey(
          synthesise((scope) => {
            new SluicePlatform(scope, 'sluice', {
              release: testCase.release,
              namespace: testCase.namespace,
              ...(testCase.values as SluicePlatformProps),
            });
          }),
        );
        assert.deepEqual([...rendered.keys()].sort(), [...synthesised.keys()].sort());
        for (const [key, manifest] of synthesised) assert.deepEqual(rendered.get(key), manifest, key);
      });
    }
  });
}

for (const helm of HELMS) {
  it(`Helm ${helm.major}: --set (int64 and string-typed) renders as the same values from a file`, async () => {
    const args = [
      '--set',
      'agent.ports.grpc=9000',
      '--set',
      'agent.image.tag=1.0',
      '--set',
      'controller.enabled=false',
      '--set',
      'agent.drainSeconds=0',
    ];
    const rendered = byKey(
      await helmTemplate(helm, chart, { release: 'sluice', namespace: 'sluice-system', args }),
    );
    const synthesised = byKey(
      synthesise((scope) => {
        new SluicePlatform(scope, 'sluice', {
          agent: { ports: { grpc: 9000 }, image: { tag: '1.0' }, drainSeconds: 0 },
          controller: { enabled: false },
        });
      }),
    );
    // Four agent objects and the priority-class ResourceQuota.
    assert.equal(rendered.size, 5);
    for (const [key, manifest] of synthesised) assert.deepEqual(rendered.get(key), manifest, key);
  });

  it(`Helm ${helm.major}: --set controller.replicas=2 points the agents at every replica, as a file does`, async () => {
    const args = ['--set', 'controller.replicas=2'];
    const rendered = byKey(
      await helmTemplate(helm, chart, { release: 'sluice', namespace: 'sluice-system', args }),
    );
    const synthesised = byKey(
      synthesise((scope) => {
        new SluicePlatform(scope, 'sluice', { controller: { replicas: 2 } });
      }),
    );
    assert.deepEqual([...rendered.keys()].sort(), [...synthesised.keys()].sort());
    for (const [key, manifest] of synthesised) assert.deepEqual(rendered.get(key), manifest, key);
    const config = rendered.get('ConfigMap/sluice-system/sluice-agent') as unknown as {
      data: Record<string, string>;
    };
    assert.match(
      config.data['agent.yaml'] ?? '',
      /^controller: "dns:\/\/\/sluice-controller-peers\.sluice-system\.svc:8090"$/m,
    );
    assert.ok(rendered.has('Service/sluice-system/sluice-controller-peers'));
  });

  it(`Helm ${helm.major}: --set controller.replicas=2 (an int64, not a float64) turns on leader election as a file does`, async () => {
    const args = ['--set', 'controller.replicas=2', '--set', 'agent.enabled=false'];
    const rendered = byKey(
      await helmTemplate(helm, chart, { release: 'sluice', namespace: 'sluice-system', args }),
    );
    const synthesised = byKey(
      synthesise((scope) => {
        new SluicePlatform(scope, 'sluice', { controller: { replicas: 2 }, agent: { enabled: false } });
      }),
    );
    assert.deepEqual([...rendered.keys()].sort(), [...synthesised.keys()].sort());
    for (const [key, manifest] of synthesised) assert.deepEqual(rendered.get(key), manifest, key);
    const role = rendered.get('Role/sluice-system/sluice-controller') as unknown as {
      rules: { apiGroups: string[] }[];
    };
    assert.equal(role.rules.filter((rule) => rule.apiGroups.includes('coordination.k8s.io')).length, 2);
  });
}

describe('the matrix renders what each case is about', () => {
  const objects = (testCase: Case): Map<string, any> =>
    byKey(
      synthesise((scope) => {
        new SluicePlatform(scope, 'sluice', {
          release: testCase.release,
          namespace: testCase.namespace,
          ...(testCase.values as SluicePlatformProps),
        });
      }),
    );
  const find = (name: string) => CASES.find((c) => c.name === name) as Case;

  it('defaults: 12 objects named sluice-agent and sluice-controller in sluice-system (the agent priority-class ResourceQuota among them), and the TokenReview ClusterRole and binding', () => {
    const all = objects(find('defaults'));
    assert.equal(all.size, 14);
    const namespaced = [...all.values()].filter((m) => !m.kind.startsWith('Cluster'));
    assert.deepEqual(
      new Set(namespaced.map((m) => m.metadata.name)),
      new Set(['sluice-agent', 'sluice-controller']),
    );
    assert.ok(namespaced.every((m) => m.metadata.namespace === 'sluice-system'));
    assert.deepEqual(
      [...all.values()]
        .filter((m) => m.kind.startsWith('Cluster'))
        .map((m) => `${m.kind}/${m.metadata.name}`),
      ['ClusterRole/sluice-system-sluice-controller', 'ClusterRoleBinding/sluice-system-sluice-controller'],
    );
  });

  it('custom release: the fullname rule gives edge-sluice-agent and the agent dials edge-sluice-controller.mesh-control.svc:8090', () => {
    const all = objects(find('custom release and namespace'));
    const config = all.get('ConfigMap/mesh-control/edge-sluice-agent') as { data: Record<string, string> };
    assert.match(
      config.data['agent.yaml'] ?? '',
      /^controller: "edge-sluice-controller\.mesh-control\.svc:8090"$/m,
    );
    assert.equal(
      all.has('Service/mesh-control/edge-sluice-controller-peers'),
      false,
      'one replica: no peers',
    );
  });

  it('agent only / controller only: 5 agent objects (with the priority-class ResourceQuota), 9 controller objects', () => {
    assert.equal(objects(find('agent only')).size, 5);
    assert.equal(objects(find('controller only')).size, 9);
  });

  it('overrides: nameOverride joins the release (sluice-prod-flow-agent); ports and address follow the values', () => {
    const all = objects(find('overrides and edge values'));
    const service = all.get('Service/prod/sluice-prod-flow-agent') as { spec: { ports: { port: number }[] } };
    assert.deepEqual(
      service.spec.ports.map((p) => p.port),
      [9080, 9081],
    );
    const daemonSet = all.get('DaemonSet/prod/sluice-prod-flow-agent');
    assert.equal(daemonSet.spec.template.spec.priorityClassName, undefined);
    assert.deepEqual(daemonSet.spec.template.spec.tolerations, []);
    const container = daemonSet.spec.template.spec.containers[0];
    assert.equal(container.image, 'ghcr.io/sluice-dev/sluice-agent:1.0');
    assert.equal(container.lifecycle, undefined);
    const config = all.get('ConfigMap/prod/sluice-prod-flow-agent') as { data: Record<string, string> };
    assert.match(config.data['agent.yaml'] ?? '', /^controller: "controller\.elsewhere\.svc:443"$/m);
    assert.equal(daemonSet.metadata.labels['app.kubernetes.io/name'], 'flow-agent');
  });

  it('a release that contains the chart name is the fullname: sluice-canary-agent', () => {
    const all = objects(find('release containing the chart name'));
    assert.ok(all.has('DaemonSet/canary/sluice-canary-agent'));
    assert.ok(all.has('Service/canary/sluice-canary-controller'));
  });

  it('resources: leaves not given keep their defaults, as Helm merges values', () => {
    const all = objects(find('resources'));
    const deployment = all.get('Deployment/sluice-system/sluice-controller') as {
      spec: { template: { spec: { containers: { resources: unknown }[] } } };
    };
    assert.deepEqual(deployment.spec.template.spec.containers[0]?.resources, {
      requests: { cpu: '50m', memory: '128Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
  });

  it('leader election and network policies: a Deployment of 3, its peers Service, and a NetworkPolicy per half', () => {
    const all = objects(find('leader election and network policies'));
    assert.equal(all.get('Deployment/mesh-control/edge-sluice-controller').spec.replicas, 3);
    assert.ok(all.has('Service/mesh-control/edge-sluice-controller-peers'));
    assert.ok(all.has('NetworkPolicy/mesh-control/edge-sluice-agent'));
    assert.ok(all.has('NetworkPolicy/mesh-control/edge-sluice-controller'));
    assert.equal(all.size, 17);
  });

  it('several replicas: agents dial the headless peers Service on the controller gRPC port, and roll when it changes', () => {
    const all = objects(find('several replicas on a moved gRPC port'));
    const config = all.get('ConfigMap/sluice-system/sluice-agent') as { data: Record<string, string> };
    assert.match(
      config.data['agent.yaml'] ?? '',
      /^controller: "dns:\/\/\/sluice-controller-peers\.sluice-system\.svc:9090"$/m,
    );
    const peers = all.get('Service/sluice-system/sluice-controller-peers');
    assert.equal(peers.spec.clusterIP, 'None');
    assert.deepEqual(
      peers.spec.ports.map((p: { name: string; port: number }) => [p.name, p.port]),
      [['grpc', 9090]],
    );
    const container = all.get('Deployment/sluice-system/sluice-controller').spec.template.spec.containers[0];
    assert.equal(container.ports.find((p: { name: string }) => p.name === 'grpc').containerPort, 9090);
    const single = objects(find('defaults'));
    const checksum = (objects: Map<string, any>) =>
      objects.get('DaemonSet/sluice-system/sluice-agent').spec.template.metadata.annotations[
        'checksum/config'
      ];
    assert.notEqual(checksum(all), checksum(single), 'a new address rolls the agents');
  });

  it('several replicas: an explicit agent.controllerAddress still wins', () => {
    const all = objects(find('several replicas, agents pointed at other replicas'));
    const config = all.get('ConfigMap/sluice-system/sluice-agent') as { data: Record<string, string> };
    assert.match(config.data['agent.yaml'] ?? '', /^controller: "dns:\/\/\/ctl-peers\.other\.svc:8090"$/m);
    assert.ok(all.has('Service/sluice-system/sluice-controller-peers'));
  });

  it('fullname override replaces <release>-<chart>', () => {
    const all = objects(find('fullname override'));
    assert.ok(all.has('Deployment/y/gate-controller'));
    assert.ok(all.has('DaemonSet/y/gate-agent'));
  });
});
