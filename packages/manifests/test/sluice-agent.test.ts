import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentConfigSchema, loadConfig } from '@sluice/spec';
import { parse as parseYaml } from 'yaml';
import {
  agentSidecarContainer,
  SluiceAgent,
  type SluiceAgentProps,
} from '../src/constructs/agent/sluice-agent.js';
import { byKey, synthesise } from './support/helm.js';

type AnyObject = Record<string, any>;

function agent(props: SluiceAgentProps = {}): Map<string, AnyObject> {
  return byKey(synthesise((scope) => new SluiceAgent(scope, 'agent', props))) as Map<string, AnyObject>;
}

describe('SluiceAgent with defaults', () => {
  const objects = agent();
  const daemonSet = objects.get('DaemonSet/sluice-system/sluice-agent') as AnyObject;
  const service = objects.get('Service/sluice-system/sluice-agent') as AnyObject;
  const pod = daemonSet.spec.template.spec;
  const container = pod.containers[0];

  it('makes a ServiceAccount, a ConfigMap, a Service, a priority-class ResourceQuota and a DaemonSet, all named sluice-agent in sluice-system', () => {
    assert.deepEqual(
      [...objects.keys()],
      [
        'ServiceAccount/sluice-system/sluice-agent',
        'ConfigMap/sluice-system/sluice-agent',
        'Service/sluice-system/sluice-agent',
        'ResourceQuota/sluice-system/sluice-agent',
        'DaemonSet/sluice-system/sluice-agent',
      ],
    );
  });

  it('Service: node-local, gRPC 8080 (appProtocol grpc) and HTTP 8081, selecting by name and instance only', () => {
    assert.equal(service.spec.internalTrafficPolicy, 'Local');
    assert.deepEqual(
      service.spec.ports.map((p: AnyObject) => [p.name, p.port, p.targetPort, p.appProtocol]),
      [
        ['grpc', 8080, 'grpc', 'grpc'],
        ['http', 8081, 'http', 'http'],
      ],
    );
    assert.deepEqual(service.spec.selector, {
      'app.kubernetes.io/name': 'sluice-agent',
      'app.kubernetes.io/instance': 'sluice',
    });
    assert.deepEqual(daemonSet.spec.selector.matchLabels, service.spec.selector);
    for (const [key, value] of Object.entries(service.spec.selector))
      assert.equal(daemonSet.spec.template.metadata.labels[key], value);
  });

  it('rolls with maxSurge 10% / maxUnavailable 0, tolerates every taint, stays out of the mesh', () => {
    assert.deepEqual(daemonSet.spec.updateStrategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '10%', maxUnavailable: 0 },
    });
    assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
    assert.equal(daemonSet.spec.template.metadata.annotations['sidecar.istio.io/inject'], 'false');
    assert.equal(daemonSet.spec.template.metadata.labels['sidecar.istio.io/inject'], 'false');
    assert.equal(pod.priorityClassName, 'system-node-critical');
  });

  it('runs restricted: non-root 65532, read-only root, no capabilities, RuntimeDefault seccomp, no escalation, no token', () => {
    assert.deepEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 65532,
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(
      (objects.get('ServiceAccount/sluice-system/sluice-agent') as AnyObject).automountServiceAccountToken,
      false,
    );
  });

  it('sets every default explicitly: resources, pull policy, image tag = appVersion, probes, a 5 s drain delay in the agent (no preStop hook) within 30 s', () => {
    assert.deepEqual(container.resources, {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
    assert.equal(container.imagePullPolicy, 'IfNotPresent');
    assert.equal(container.image, 'ghcr.io/sluice-dev/sluice-agent:0.1.0');
    assert.deepEqual(
      [container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path],
      ['/healthz', '/readyz'],
    );
    // preStop.sleep is alpha in Kubernetes 1.29 and beta in 1.30 (KEP-3960); the agent waits itself instead.
    assert.equal('lifecycle' in container, false);
    const config = (objects.get('ConfigMap/sluice-system/sluice-agent') as AnyObject).data['agent.yaml'];
    assert.match(config, /^drainDelaySeconds: 5$/m);
    assert.equal(pod.terminationGracePeriodSeconds, 30);
  });

  it('reads its config file, which dials the release controller at sluice-controller.sluice-system.svc:8090', () => {
    assert.deepEqual(container.args, ['--config', '/etc/sluice/agent.yaml']);
    const config = (objects.get('ConfigMap/sluice-system/sluice-agent') as AnyObject).data['agent.yaml'];
    assert.equal(
      config,
      'grpcPort: 8080\nhttpPort: 8081\ncontroller: "sluice-controller.sluice-system.svc:8090"\nagentGroup: "default"\nlogLevel: "info"\ndrainDelaySeconds: 5\n' +
        'controllerTokenFile: "/var/run/secrets/sluice/controller-token/token"\nrecordKeyFile: "/var/run/secrets/sluice/record-key/record-key"\n',
    );
    assert.equal(
      container.env.some((e: AnyObject) => e.name.startsWith('REDIS_')),
      false,
    );
  });

  it('presents a projected service-account token to the controller (audience sluice-controller, 1 h), and mounts no other', () => {
    const pod = daemonSet.spec.template.spec;
    assert.equal(pod.automountServiceAccountToken, false);
    const volume = (pod.volumes as AnyObject[]).find((v) => v.name === 'controller-token');
    assert.deepEqual(volume?.projected, {
      defaultMode: 0o444,
      sources: [
        { serviceAccountToken: { audience: 'sluice-controller', expirationSeconds: 3600, path: 'token' } },
      ],
    });
    assert.deepEqual(
      (container.volumeMounts as AnyObject[]).filter(
        (m) => m.name === 'controller-token' || m.name === 'record-key',
      ),
      [
        { name: 'controller-token', mountPath: '/var/run/secrets/sluice/controller-token', readOnly: true },
        { name: 'record-key', mountPath: '/var/run/secrets/sluice/record-key', readOnly: true },
      ],
    );
  });

  it('mounts the record key the controller creates at run time, optional so the agent starts before it exists', () => {
    const volume = (daemonSet.spec.template.spec.volumes as AnyObject[]).find((v) => v.name === 'record-key');
    assert.deepEqual(volume?.secret, {
      secretName: 'sluice-record-key',
      optional: true,
      defaultMode: 0o444,
      items: [{ key: 'record-key', path: 'record-key' }],
    });
  });

  it('its config file passes the agent config schema, token and record-key files included', () => {
    const config = (objects.get('ConfigMap/sluice-system/sluice-agent') as AnyObject).data['agent.yaml'];
    const parsed = AgentConfigSchema.parse(parseYaml(config));
    assert.equal(parsed.controllerTokenFile, '/var/run/secrets/sluice/controller-token/token');
    assert.equal(parsed.recordKeyFile, '/var/run/secrets/sluice/record-key/record-key');
  });
});

describe('SluiceAgent with a record key of the user', () => {
  it('mounts the named Secret and key instead of the runtime one', () => {
    const objects = agent({ recordKey: { existingSecret: 'my-record-key', key: 'k' } });
    const daemonSet = objects.get('DaemonSet/sluice-system/sluice-agent') as AnyObject;
    const volume = (daemonSet.spec.template.spec.volumes as AnyObject[]).find((v) => v.name === 'record-key');
    assert.deepEqual(
      [volume?.secret.secretName, volume?.secret.items],
      ['my-record-key', [{ key: 'k', path: 'record-key' }]],
    );
  });
});

describe('SluiceAgent customised', () => {
  const objects = agent({
    release: 'edge',
    namespace: 'mesh-control',
    image: { repository: 'registry.local/sluice-agent', tag: '2.0.1', pullPolicy: 'Always' },
    redis: {
      url: 'rediss://redis.cache:6380/1',
      existingSecret: 'redis-auth',
      usernameKey: 'user',
      passwordKey: 'pass',
    },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'edge', effect: 'NoSchedule' }],
    priorityClassName: '',
    drainSeconds: 0,
  });
  const daemonSet = objects.get('DaemonSet/mesh-control/edge-sluice-agent') as AnyObject;
  const container = daemonSet.spec.template.spec.containers[0];

  it('takes Redis credentials from the existing Secret, the user name optional', () => {
    const env = Object.fromEntries(container.env.map((e: AnyObject) => [e.name, e.valueFrom?.secretKeyRef]));
    assert.deepEqual(env.REDIS_USERNAME, { name: 'redis-auth', key: 'user', optional: true });
    assert.deepEqual(env.REDIS_PASSWORD, { name: 'redis-auth', key: 'pass', optional: false });
    const config = (objects.get('ConfigMap/mesh-control/edge-sluice-agent') as AnyObject).data[
      'agent.yaml'
    ] as string;
    assert.match(config, /^redisUrl: "rediss:\/\/redis\.cache:6380\/1"$/m);
    assert.match(config, /^controller: "edge-sluice-controller\.mesh-control\.svc:8090"$/m);
  });

  it('uses the image, drops the empty priority class, and passes the zero drain to the agent', () => {
    assert.equal(container.image, 'registry.local/sluice-agent:2.0.1');
    assert.equal(container.imagePullPolicy, 'Always');
    assert.equal('priorityClassName' in daemonSet.spec.template.spec, false);
    assert.equal('lifecycle' in container, false);
    const config = (objects.get('ConfigMap/mesh-control/edge-sluice-agent') as AnyObject).data['agent.yaml'];
    assert.match(config, /^drainDelaySeconds: 0$/m);
    assert.deepEqual(daemonSet.spec.template.spec.tolerations, [
      { key: 'dedicated', operator: 'Equal', value: 'edge', effect: 'NoSchedule' },
    ]);
  });
});

describe('the config checksum rolls pods when, and only when, the config inputs change', () => {
  const checksum = (props: SluiceAgentProps) =>
    (agent(props).get(`DaemonSet/${props.namespace ?? 'sluice-system'}/sluice-agent`) as AnyObject).spec
      .template.metadata.annotations['checksum/config'] as string;

  it('is a SHA-256, stable for the same props, different for another log level or controller namespace', () => {
    const base = checksum({});
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.equal(checksum({}), base);
    assert.notEqual(checksum({ logLevel: 'debug' }), base);
    assert.notEqual(checksum({ namespace: 'elsewhere' }), base);
  });
});

describe('SluiceAgent refuses bad props, naming the key', () => {
  const refusals: readonly [string, SluiceAgentProps, RegExp][] = [
    ['an unknown key', { image: { tagg: '1' } } as never, /image[\s\S]*tagg/],
    ['a wrong type', { ports: { grpc: '8080' } } as never, /ports\.grpc/],
    ['an out-of-range port', { ports: { http: 0 } }, /ports\.http/],
    ['credentials in the Redis URL', { redis: { url: 'redis://u:p@host:6379' } }, /redis\.url/],
    ['a release Helm would refuse', { release: 'Sluice_Prod' }, /release "Sluice_Prod" is not allowed/],
    ['a namespace that is no DNS label', { namespace: 'a.b' }, /namespace "a\.b" is not allowed/],
  ];
  for (const [what, props, message] of refusals) {
    it(what, () => assert.throws(() => agent(props), message));
  }
});

describe('agentSidecarContainer (sidecarMode)', () => {
  const container = agentSidecarContainer({
    ports: { grpc: 18080, http: 18081 },
    release: 'sluice',
    namespace: 'apps',
  }) as AnyObject;

  it('is the agent container configured through SLUICE_AGENT_* variables on the chosen ports, without the ConfigMap', () => {
    assert.equal(container.name, 'agent');
    assert.deepEqual(
      container.ports.map((p: AnyObject) => p.containerPort),
      [18080, 18081],
    );
    const env = Object.fromEntries(
      container.env.filter((e: AnyObject) => 'value' in e).map((e: AnyObject) => [e.name, e.value]),
    );
    assert.deepEqual(env, {
      SLUICE_AGENT_GRPC_PORT: '18080',
      SLUICE_AGENT_HTTP_PORT: '18081',
      SLUICE_AGENT_CONTROLLER: 'sluice-controller.apps.svc:8090',
      SLUICE_AGENT_AGENT_GROUP: 'default',
      SLUICE_AGENT_LOG_LEVEL: 'info',
      SLUICE_AGENT_DRAIN_DELAY_SECONDS: '5',
    });
    assert.deepEqual(container.args, []);
    assert.deepEqual(container.volumeMounts, []);
    // The variables are the ones the agent's config loader reads with the SLUICE_AGENT_ prefix.
    const config = loadConfig(AgentConfigSchema, { env, envPrefix: 'SLUICE_AGENT_' });
    assert.deepEqual(
      [config.grpcPort, config.httpPort, config.controller, config.agentGroup, config.drainDelaySeconds],
      [18080, 18081, 'sluice-controller.apps.svc:8090', 'default', 5],
    );
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  });
});

describe('agent default control point (for Istio CUSTOM ext_authz, which sends no metadata)', () => {
  it('reaches the config file and the sidecar environment only when set, and the agent config schema accepts it', async () => {
    const { parse } = await import('yaml');
    const configOf = (values: object) => {
      const objects = synthesise((scope) => new SluiceAgent(scope, 'agent', values)) as any[];
      return parse(objects.find((o) => o.kind === 'ConfigMap').data['agent.yaml']);
    };
    assert.equal(configOf({}).defaultControlPoint, undefined);
    const config = configOf({ defaultControlPoint: 'ingress' });
    assert.equal(AgentConfigSchema.parse(config).defaultControlPoint, 'ingress');
    const sidecar = agentSidecarContainer({ defaultControlPoint: 'ingress' }) as any;
    assert.ok(
      sidecar.env.some(
        (e: { name: string; value: string }) =>
          e.name === 'SLUICE_AGENT_DEFAULT_CONTROL_POINT' && e.value === 'ingress',
      ),
    );
  });
});
