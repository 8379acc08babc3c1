import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkPodSecurity,
  POD_SECURITY_CONTROLS,
  type PodSecurityControl,
  type PodSecurityProfile,
  podTemplateOf,
} from './support/pod-security-standards.js';

type Any = Record<string, any>;

/**
 * A pod that passes the restricted profile while using the allowed edge values: NET_BIND_SERVICE added,
 * a safe sysctl, every restricted volume type, SELinux container_t, AppArmor and seccomp set at the pod
 * and inherited by containers that leave them unset, a hostPort of 0, probes without a host.
 */
function passingPod(): Any {
  const hardened = () => ({
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'passing',
      annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' },
    },
    spec: {
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65532,
        seccompProfile: { type: 'RuntimeDefault' },
        appArmorProfile: { type: 'RuntimeDefault' },
        seLinuxOptions: { type: 'container_t' },
        sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
      },
      initContainers: [{ name: 'init', image: 'busybox', securityContext: hardened() }],
      containers: [
        {
          name: 'app',
          image: 'app',
          ports: [{ containerPort: 8080, hostPort: 0 }],
          readinessProbe: { httpGet: { path: '/readyz', port: 8080, host: '' } },
          lifecycle: { preStop: { sleep: { seconds: 5 } } },
          securityContext: {
            ...hardened(),
            runAsNonRoot: true,
            seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' },
          },
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: 'c' } },
        { name: 'tmp', emptyDir: {} },
        { name: 'token', projected: { sources: [] } },
        { name: 'creds', secret: { secretName: 's' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'd' } },
        { name: 'inline', csi: { driver: 'x' } },
        { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } },
        { name: 'meta', downwardAPI: { items: [] } },
      ],
    },
  };
}

interface Fixture {
  readonly name: string;
  readonly control: PodSecurityControl;
  /** Breaks the passing pod in one place. */
  readonly mutate: (pod: Any) => void;
  /** Every violation the profile of `control` must report, by path. */
  readonly paths: readonly string[];
}

const FIXTURES: readonly Fixture[] = [
  {
    name: 'a HostProcess init container',
    control: 'hostProcess',
    mutate: (pod) => (pod.spec.initContainers[0].securityContext.windowsOptions = { hostProcess: true }),
    paths: ['spec.initContainers[0].securityContext.windowsOptions.hostProcess'],
  },
  {
    name: 'hostNetwork',
    control: 'hostNamespaces',
    mutate: (pod) => (pod.spec.hostNetwork = true),
    paths: ['spec.hostNetwork'],
  },
  {
    name: 'hostPID',
    control: 'hostNamespaces',
    mutate: (pod) => (pod.spec.hostPID = true),
    paths: ['spec.hostPID'],
  },
  {
    name: 'hostIPC',
    control: 'hostNamespaces',
    mutate: (pod) => (pod.spec.hostIPC = true),
    paths: ['spec.hostIPC'],
  },
  {
    name: 'a privileged container',
    control: 'privileged',
    mutate: (pod) => (pod.spec.containers[0].securityContext.privileged = true),
    paths: ['spec.containers[0].securityContext.privileged'],
  },
  {
    name: 'a privileged ephemeral container',
    control: 'privileged',
    mutate: (pod) =>
      (pod.spec.ephemeralContainers = [
        {
          name: 'debug',
          image: 'busybox',
          securityContext: {
            privileged: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          },
        },
      ]),
    paths: ['spec.ephemeralContainers[0].securityContext.privileged'],
  },
  {
    name: 'SYS_ADMIN added',
    control: 'baselineCapabilities',
    mutate: (pod) => pod.spec.containers[0].securityContext.capabilities.add.push('SYS_ADMIN'),
    paths: ['spec.containers[0].securityContext.capabilities.add[1]'],
  },
  {
    name: 'a hostPath volume',
    control: 'hostPathVolumes',
    mutate: (pod) => pod.spec.volumes.push({ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }),
    paths: ['spec.volumes[8].hostPath'],
  },
  {
    name: 'a hostPort',
    control: 'hostPorts',
    mutate: (pod) => (pod.spec.containers[0].ports[0].hostPort = 8080),
    paths: ['spec.containers[0].ports[0].hostPort'],
  },
  {
    name: 'a probe aimed at another host',
    control: 'hostProbes',
    mutate: (pod) => (pod.spec.containers[0].readinessProbe.httpGet.host = '169.254.169.254'),
    paths: ['spec.containers[0].readinessProbe.httpGet.host'],
  },
  {
    name: 'a lifecycle hook aimed at another host',
    control: 'hostProbes',
    mutate: (pod) => (pod.spec.containers[0].lifecycle.postStart = { tcpSocket: { port: 22, host: 'node' } }),
    paths: ['spec.containers[0].lifecycle.postStart.tcpSocket.host'],
  },
  {
    name: 'AppArmor Unconfined',
    control: 'appArmor',
    mutate: (pod) => (pod.spec.securityContext.appArmorProfile.type = 'Unconfined'),
    paths: ['spec.securityContext.appArmorProfile.type'],
  },
  {
    name: 'an AppArmor annotation set to unconfined',
    control: 'appArmor',
    mutate: (pod) =>
      (pod.metadata.annotations['container.apparmor.security.beta.kubernetes.io/app'] = 'unconfined'),
    paths: ['metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]'],
  },
  {
    name: 'SELinux type spc_t',
    control: 'seLinux',
    mutate: (pod) => (pod.spec.containers[0].securityContext.seLinuxOptions = { type: 'spc_t' }),
    paths: ['spec.containers[0].securityContext.seLinuxOptions.type'],
  },
  {
    name: 'a SELinux user',
    control: 'seLinux',
    mutate: (pod) => (pod.spec.securityContext.seLinuxOptions.user = 'system_u'),
    paths: ['spec.securityContext.seLinuxOptions.user'],
  },
  {
    name: 'an unmasked /proc',
    control: 'procMount',
    mutate: (pod) => (pod.spec.containers[0].securityContext.procMount = 'Unmasked'),
    paths: ['spec.containers[0].securityContext.procMount'],
  },
  {
    name: 'seccomp Unconfined',
    control: 'baselineSeccomp',
    mutate: (pod) => (pod.spec.initContainers[0].securityContext.seccompProfile = { type: 'Unconfined' }),
    paths: ['spec.initContainers[0].securityContext.seccompProfile.type'],
  },
  {
    name: 'an unsafe sysctl',
    control: 'sysctls',
    mutate: (pod) => pod.spec.securityContext.sysctls.push({ name: 'kernel.msgmax', value: '65536' }),
    paths: ['spec.securityContext.sysctls[1].name'],
  },
  {
    name: 'an NFS volume',
    control: 'volumeTypes',
    mutate: (pod) => pod.spec.volumes.push({ name: 'share', nfs: { server: 'nfs', path: '/' } }),
    paths: ['spec.volumes[8].nfs'],
  },
  {
    name: 'allowPrivilegeEscalation left unset',
    control: 'privilegeEscalation',
    mutate: (pod) => delete pod.spec.initContainers[0].securityContext.allowPrivilegeEscalation,
    paths: ['spec.initContainers[0].securityContext.allowPrivilegeEscalation'],
  },
  {
    name: 'runAsNonRoot false in a container',
    control: 'runAsNonRoot',
    mutate: (pod) => (pod.spec.containers[0].securityContext.runAsNonRoot = false),
    paths: ['spec.containers[0].securityContext.runAsNonRoot'],
  },
  {
    name: 'runAsNonRoot set nowhere for a container',
    control: 'runAsNonRoot',
    // The app container sets it itself; the init container relied on the pod.
    mutate: (pod) => delete pod.spec.securityContext.runAsNonRoot,
    paths: ['spec.initContainers[0].securityContext.runAsNonRoot'],
  },
  {
    name: 'runAsUser 0',
    control: 'runAsUser',
    mutate: (pod) => (pod.spec.containers[0].securityContext.runAsUser = 0),
    paths: ['spec.containers[0].securityContext.runAsUser'],
  },
  {
    name: 'no seccomp profile for a container',
    control: 'restrictedSeccomp',
    // The app container names a Localhost profile; the init container relied on the pod.
    mutate: (pod) => delete pod.spec.securityContext.seccompProfile,
    paths: ['spec.initContainers[0].securityContext.seccompProfile.type'],
  },
  {
    name: 'capabilities not dropped',
    control: 'restrictedCapabilities',
    mutate: (pod) => (pod.spec.initContainers[0].securityContext.capabilities.drop = ['NET_RAW']),
    paths: ['spec.initContainers[0].securityContext.capabilities.drop'],
  },
  {
    name: 'CHOWN added (baseline allows it, restricted does not)',
    control: 'restrictedCapabilities',
    mutate: (pod) => pod.spec.containers[0].securityContext.capabilities.add.push('CHOWN'),
    paths: ['spec.containers[0].securityContext.capabilities.add[1]'],
  },
];

const violationsOf = (manifest: Any, profile: PodSecurityProfile) =>
  checkPodSecurity(manifest, profile).map((v) => `${v.control} ${v.path}`);

describe('the Pod Security Standards checker', () => {
  it('passes a pod that uses every allowed edge value, under both profiles', () => {
    assert.deepEqual(checkPodSecurity(passingPod(), 'restricted'), []);
    assert.deepEqual(checkPodSecurity(passingPod(), 'baseline'), []);
  });

  it('has a violating fixture for every control', () => {
    assert.deepEqual(new Set(FIXTURES.map((f) => f.control)), new Set(Object.keys(POD_SECURITY_CONTROLS)));
  });

  for (const fixture of FIXTURES) {
    const { profile, title } = POD_SECURITY_CONTROLS[fixture.control];
    it(`rejects ${fixture.name}: ${title} (${profile}), naming the field`, () => {
      const pod = passingPod();
      fixture.mutate(pod);
      const violations = checkPodSecurity(pod, profile);
      // Exactly the expected findings under the control's own profile: nothing else broke.
      assert.deepEqual(
        violations.map((v) => `${v.control} ${v.path}`),
        fixture.paths.map((path) => `${fixture.control} ${path}`),
      );
      for (const violation of violations) {
        assert.ok(violation.message.startsWith(`${violation.path} is `), violation.message);
        assert.ok(violation.message.includes(`: ${title} (${profile}) allows `), violation.message);
      }
      if (profile === 'baseline') {
        // Restricted includes every baseline control.
        const restricted = violationsOf(pod, 'restricted');
        for (const path of fixture.paths) assert.ok(restricted.includes(`${fixture.control} ${path}`));
      } else {
        assert.deepEqual(
          violationsOf(pod, 'baseline'),
          [],
          'a restricted-only control leaves baseline alone',
        );
      }
    });
  }

  it('messages name the path, the value, the control and what is allowed', () => {
    const pod = passingPod();
    pod.spec.hostNetwork = true;
    delete pod.spec.containers[0].securityContext.allowPrivilegeEscalation;
    assert.deepEqual(
      checkPodSecurity(pod).map((v) => v.message),
      [
        'spec.hostNetwork is true: Host Namespaces (baseline) allows unset or false',
        'spec.containers[0].securityContext.allowPrivilegeEscalation is unset: Privilege Escalation (restricted) allows false',
      ],
    );
  });

  it('finds the pod template of every workload kind, with paths from the manifest root', () => {
    const { spec, metadata } = passingPod();
    spec.hostPID = true;
    const template = { metadata, spec };
    const cases: [Any, string][] = [
      [{ kind: 'Deployment', spec: { template } }, 'spec.template.spec.hostPID'],
      [{ kind: 'DaemonSet', spec: { template } }, 'spec.template.spec.hostPID'],
      [{ kind: 'StatefulSet', spec: { template } }, 'spec.template.spec.hostPID'],
      [{ kind: 'Job', spec: { template } }, 'spec.template.spec.hostPID'],
      [
        { kind: 'CronJob', spec: { jobTemplate: { spec: { template } } } },
        'spec.jobTemplate.spec.template.spec.hostPID',
      ],
    ];
    for (const [manifest, path] of cases)
      assert.deepEqual(violationsOf(manifest, 'baseline'), [`hostNamespaces ${path}`], manifest.kind);
    assert.equal(podTemplateOf({ kind: 'ConfigMap' }), undefined);
    assert.deepEqual(checkPodSecurity({ kind: 'Service', spec: { hostNetwork: true } }), []);
  });

  it('an empty container is refused by restricted for every field it must set, and passes baseline', () => {
    const bare = { kind: 'Pod', spec: { containers: [{ name: 'c', image: 'i' }] } };
    assert.deepEqual(violationsOf(bare, 'baseline'), []);
    assert.deepEqual(violationsOf(bare, 'restricted'), [
      'restrictedCapabilities spec.containers[0].securityContext.capabilities.drop',
      'privilegeEscalation spec.containers[0].securityContext.allowPrivilegeEscalation',
      'runAsNonRoot spec.containers[0].securityContext.runAsNonRoot',
      'restrictedSeccomp spec.containers[0].securityContext.seccompProfile.type',
    ]);
  });
});
