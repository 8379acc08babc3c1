import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControllerConfigSchema, resolveAgentAuth } from '@sluice/spec';
import { parse as parseYaml } from 'yaml';
import {
  SluiceController,
  type SluiceControllerProps,
} from '../src/constructs/controller/sluice-controller.js';
import { byKey, synthesise } from './support/helm.js';

type AnyObject = Record<string, any>;

function controller(props: SluiceControllerProps = {}): Map<string, AnyObject> {
  return byKey(synthesise((scope) => new SluiceController(scope, 'controller', props))) as Map<
    string,
    AnyObject
  >;
}

describe('SluiceController with defaults', () => {
  const objects = controller();
  const get = (kind: string) => objects.get(`${kind}/sluice-system/sluice-controller`) as AnyObject;
  const deployment = get('Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it('makes 9 objects: 7 named sluice-controller in sluice-system, and the TokenReview ClusterRole with its binding', () => {
    assert.deepEqual(
      [...objects.keys()].map((key) => key.split('/')[0]),
      [
        'ServiceAccount',
        'Role',
        'RoleBinding',
        'ClusterRole',
        'ClusterRoleBinding',
        'ConfigMap',
        'Service',
        'Deployment',
        'PodDisruptionBudget',
      ],
    );
    const namespaced = [...objects.keys()].filter((key) => !key.startsWith('Cluster'));
    assert.ok(namespaced.every((key) => key.endsWith('/sluice-system/sluice-controller')));
    // Cluster-scoped, so named after the namespace too: a release of the same name elsewhere never shares it.
    assert.ok(objects.has('ClusterRole//sluice-system-sluice-controller'), [...objects.keys()].join(' '));
  });

  it('one replica, replaced with Recreate, outside the mesh, with its service-account token', () => {
    assert.equal(deployment.spec.replicas, 1);
    assert.deepEqual(deployment.spec.strategy, { type: 'Recreate' });
    assert.equal(deployment.spec.template.metadata.annotations['sidecar.istio.io/inject'], 'false');
    assert.equal(deployment.spec.template.metadata.labels['sidecar.istio.io/inject'], 'false');
    assert.equal(pod.automountServiceAccountToken, true);
    assert.equal(get('ServiceAccount').automountServiceAccountToken, true);
    assert.equal(pod.serviceAccountName, 'sluice-controller');
  });

  it('Service on gRPC 8090, HTTP 8091 (probes, metrics) and the API on 8092, selecting the controller pods only', () => {
    const service = get('Service');
    assert.deepEqual(
      service.spec.ports.map((p: AnyObject) => [p.name, p.port, p.targetPort]),
      [
        ['grpc', 8090, 'grpc'],
        ['http', 8091, 'http'],
        ['api', 8092, 'api'],
      ],
    );
    assert.deepEqual(
      container.ports.map((p: AnyObject) => [p.name, p.containerPort]),
      [
        ['grpc', 8090],
        ['http', 8091],
        ['api', 8092],
      ],
    );
    assert.deepEqual(service.spec.selector, {
      'app.kubernetes.io/name': 'sluice-controller',
      'app.kubernetes.io/instance': 'sluice',
    });
    assert.deepEqual(deployment.spec.selector.matchLabels, service.spec.selector);
  });

  it('least privilege: flowpolicies get/list/watch, their status get/update/patch, its two runtime Secrets, no events', () => {
    assert.deepEqual(get('Role').rules, [
      { apiGroups: ['sluice.dev'], resources: ['flowpolicies'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['sluice.dev'], resources: ['flowpolicies/status'], verbs: ['get', 'update', 'patch'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['sluice-controller-api-token', 'sluice-record-key'],
        verbs: ['get'],
      },
    ]);
    const clusterRole = objects.get('ClusterRole//sluice-system-sluice-controller') as AnyObject;
    assert.deepEqual(clusterRole.rules, [
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    ]);
    const clusterBinding = objects.get('ClusterRoleBinding//sluice-system-sluice-controller') as AnyObject;
    assert.deepEqual(clusterBinding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'sluice-system-sluice-controller',
    });
    assert.deepEqual(clusterBinding.subjects, [
      { kind: 'ServiceAccount', name: 'sluice-controller', namespace: 'sluice-system' },
    ]);
    const binding = get('RoleBinding');
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'sluice-controller',
    });
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: 'sluice-controller', namespace: 'sluice-system' },
    ]);
  });

  it('a PodDisruptionBudget that allows one eviction of its one replica, so it never blocks a drain', () => {
    const budget = get('PodDisruptionBudget');
    assert.equal(budget.spec.maxUnavailable, 1);
    assert.equal(budget.spec.minAvailable, undefined);
    assert.ok(budget.spec.maxUnavailable >= deployment.spec.replicas);
  });

  it('config: its namespace in Kubernetes mode, three ports, agents by TokenReview, runtime Secrets, the API Host names', () => {
    const text = get('ConfigMap').data['controller.yaml'] as string;
    assert.equal(
      text,
      [
        'grpcPort: 8090',
        'httpPort: 8091',
        'apiPort: 8092',
        'kubernetes: true',
        'namespace: "sluice-system"',
        'logLevel: "info"',
        'agentAuth: "kubernetes"',
        'agentServiceAccount: "sluice-system/sluice-agent"',
        'apiTokenSecret: "sluice-controller-api-token"',
        'recordKeySecret: "sluice-record-key"',
        'apiAllowedHosts: ["sluice-controller", "sluice-controller.sluice-system", "sluice-controller.sluice-system.svc", "sluice-controller.sluice-system.svc.cluster.local"]',
        '',
      ].join('\n'),
    );
    // The file is what the controller's own loader accepts.
    const config = ControllerConfigSchema.parse(parseYaml(text));
    assert.equal(resolveAgentAuth(config), 'kubernetes');
    // The token is created at run time, not passed in: no environment variable carries one.
    assert.equal(
      container.env.some((e: AnyObject) => e.name === 'SLUICE_CONTROLLER_API_TOKEN'),
      false,
    );
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(container.resources, {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
  });
});

describe('SluiceController customised', () => {
  const objects = controller({
    release: 'edge',
    namespace: 'ops',
    apiToken: { existingSecret: 'api', key: 'bearer' },
    ports: { http: 9000 },
  });
  const container = (objects.get('Deployment/ops/edge-sluice-controller') as AnyObject).spec.template.spec
    .containers[0];

  it('takes the API token from the Secret, and then creates only the record key and may read only that', () => {
    const token = container.env.find((e: AnyObject) => e.name === 'SLUICE_CONTROLLER_API_TOKEN');
    assert.deepEqual(token.valueFrom.secretKeyRef, { name: 'api', key: 'bearer', optional: false });
    const text = (objects.get('ConfigMap/ops/edge-sluice-controller') as AnyObject).data['controller.yaml'];
    assert.doesNotMatch(text, /apiTokenSecret/);
    assert.match(text, /^recordKeySecret: "edge-sluice-record-key"$/m);
    assert.deepEqual((objects.get('Role/ops/edge-sluice-controller') as AnyObject).rules.slice(2), [
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['edge-sluice-record-key'], verbs: ['get'] },
    ]);
  });

  it('moves the HTTP port everywhere it appears', () => {
    assert.deepEqual(
      container.ports.map((p: AnyObject) => p.containerPort),
      [8090, 9000, 8092],
    );
    assert.deepEqual(
      (objects.get('Service/ops/edge-sluice-controller') as AnyObject).spec.ports.map(
        (p: AnyObject) => p.port,
      ),
      [8090, 9000, 8092],
    );
    assert.match(
      (objects.get('ConfigMap/ops/edge-sluice-controller') as AnyObject).data['controller.yaml'],
      /^httpPort: 9000$/m,
    );
  });

  it('refuses bad props naming the key', () => {
    assert.throws(
      () => controller({ apiToken: { existingSecret: 'Not_A_Name' } }),
      /apiToken\.existingSecret/,
    );
    assert.throws(() => controller({ replicas: 0 }), /replicas/);
    assert.throws(() => controller({ leaderElection: true } as never), /leaderElection/);
  });
});

describe('SluiceController with several replicas (leader election)', () => {
  const objects = controller({ release: 'edge', namespace: 'ops', replicas: 3 });
  const get = (kind: string) => objects.get(`${kind}/ops/edge-sluice-controller`) as AnyObject;
  const deployment = get('Deployment');
  const env = deployment.spec.template.spec.containers[0].env as AnyObject[];
  const byName = (name: string) => env.find((e) => e.name === name);

  it('runs the replicas, replaced one at a time so a standby always remains to take the Lease', () => {
    assert.equal(deployment.spec.replicas, 3);
    assert.deepEqual(deployment.spec.strategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
  });

  it('every replica is probed alike (followers are Ready too), so the budget of one eviction can be spent', () => {
    const container = deployment.spec.template.spec.containers[0];
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'http', scheme: 'HTTP' });
    assert.deepEqual(get('PodDisruptionBudget').spec, {
      maxUnavailable: 1,
      selector: { matchLabels: deployment.spec.selector.matchLabels },
    });
  });

  it('adds a headless Service over the Ready replicas, gRPC only, for agents to find the leader', () => {
    const peers = objects.get('Service/ops/edge-sluice-controller-peers') as AnyObject;
    assert.deepEqual(peers.spec, {
      type: 'ClusterIP',
      clusterIP: 'None',
      publishNotReadyAddresses: false,
      selector: deployment.spec.selector.matchLabels,
      ports: [{ name: 'grpc', port: 8090, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' }],
    });
    assert.deepEqual(peers.metadata.labels, get('Service').metadata.labels);
    assert.deepEqual(
      [...objects.keys()].map((key) => key.split('/')[0]),
      [
        'ServiceAccount',
        'Role',
        'RoleBinding',
        'ClusterRole',
        'ClusterRoleBinding',
        'ConfigMap',
        'Service',
        'Service',
        'Deployment',
        'PodDisruptionBudget',
      ],
    );
  });

  it('tells the controller to elect a leader on the Lease named after it, with its pod name and namespace', () => {
    assert.deepEqual(byName('SLUICE_CONTROLLER_LEADER_ELECTION'), {
      name: 'SLUICE_CONTROLLER_LEADER_ELECTION',
      value: 'true',
    });
    assert.deepEqual(byName('SLUICE_CONTROLLER_LEASE_NAME'), {
      name: 'SLUICE_CONTROLLER_LEASE_NAME',
      value: 'edge-sluice-controller',
    });
    assert.deepEqual(byName('POD_NAME')?.valueFrom, {
      fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' },
    });
    assert.deepEqual(byName('POD_NAMESPACE')?.valueFrom, {
      fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
    });
  });

  it('may create Leases, and get and update only its own', () => {
    assert.deepEqual(get('Role').rules.slice(4), [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['edge-sluice-controller'],
        verbs: ['get', 'update'],
      },
    ]);
  });

  it('one replica (the default) elects no leader and gets no Lease rule', () => {
    const single = byKey(synthesise((scope) => new SluiceController(scope, 'controller', {}))) as Map<
      string,
      AnyObject
    >;
    const names = (
      single.get('Deployment/sluice-system/sluice-controller')?.spec.template.spec.containers[0]
        .env as AnyObject[]
    ).map((e) => e.name);
    assert.deepEqual(names, ['POD_NAME', 'POD_NAMESPACE']);
    assert.equal(single.get('Role/sluice-system/sluice-controller')?.rules.length, 4);
    assert.equal(single.has('Service/sluice-system/sluice-controller-peers'), false, 'and no peers Service');
  });
});
