/**
 * A checker for the Kubernetes Pod Security Standards, baseline and restricted profiles: the published
 * controls, field by field, applied to a pod or to the pod template of a workload. It is pure: no cluster,
 * no admission webhook, so the tests can hold every rendered pod to the profile. It lives under test support:
 * nothing the package ships uses it.
 *
 * Windows pods (`spec.os.name: windows`) are exempt from some restricted controls upstream; this checker
 * does not model the exemption, so it is stricter for them. Sluice ships no Windows pods.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */

export type PodSecurityProfile = 'baseline' | 'restricted';

interface ControlDefinition {
  /** The control's name in the published table. */
  readonly title: string;
  readonly profile: PodSecurityProfile;
  /** The allowed values, as the table states them. */
  readonly allowed: string;
}

/** Every control, keyed by an identifier; baseline and restricted each have their own Seccomp and Capabilities rows. */
export const POD_SECURITY_CONTROLS = {
  hostProcess: { title: 'HostProcess', profile: 'baseline', allowed: 'unset or false' },
  hostNamespaces: { title: 'Host Namespaces', profile: 'baseline', allowed: 'unset or false' },
  privileged: { title: 'Privileged Containers', profile: 'baseline', allowed: 'unset or false' },
  baselineCapabilities: {
    title: 'Capabilities',
    profile: 'baseline',
    allowed:
      'unset, AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT',
  },
  hostPathVolumes: { title: 'HostPath Volumes', profile: 'baseline', allowed: 'unset' },
  hostPorts: { title: 'Host Ports', profile: 'baseline', allowed: 'unset or 0' },
  hostProbes: { title: 'Host Probes / Lifecycle Hooks', profile: 'baseline', allowed: 'unset or ""' },
  appArmor: {
    title: 'AppArmor',
    profile: 'baseline',
    allowed: 'unset, RuntimeDefault, Localhost (annotations: runtime/default, localhost/*)',
  },
  seLinux: {
    title: 'SELinux',
    profile: 'baseline',
    allowed:
      'type unset, "", container_t, container_init_t, container_kvm_t or container_engine_t; user and role unset or ""',
  },
  procMount: { title: '/proc Mount Type', profile: 'baseline', allowed: 'unset or Default' },
  baselineSeccomp: {
    title: 'Seccomp',
    profile: 'baseline',
    allowed: 'unset, RuntimeDefault or Localhost',
  },
  sysctls: {
    title: 'Sysctls',
    profile: 'baseline',
    allowed:
      'unset, kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes',
  },
  volumeTypes: {
    title: 'Volume Types',
    profile: 'restricted',
    allowed: 'configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret',
  },
  privilegeEscalation: { title: 'Privilege Escalation', profile: 'restricted', allowed: 'false' },
  runAsNonRoot: {
    title: 'Running as Non-root',
    profile: 'restricted',
    allowed: 'true (a container may leave it unset when the pod sets true)',
  },
  runAsUser: { title: 'Running as Non-root user', profile: 'restricted', allowed: 'unset or non-zero' },
  restrictedSeccomp: {
    title: 'Seccomp',
    profile: 'restricted',
    allowed: 'RuntimeDefault or Localhost (a container may leave it unset when the pod sets one)',
  },
  restrictedCapabilities: {
    title: 'Capabilities',
    profile: 'restricted',
    allowed: 'drop includes ALL; add unset or only NET_BIND_SERVICE',
  },
} as const satisfies Record<string, ControlDefinition>;

export type PodSecurityControl = keyof typeof POD_SECURITY_CONTROLS;

export interface PodSecurityViolation {
  readonly control: PodSecurityControl;
  readonly profile: PodSecurityProfile;
  /** Field path from the manifest root, e.g. `spec.template.spec.containers[0].securityContext.privileged`. */
  readonly path: string;
  /** The offending value; `undefined` when a required field is unset. */
  readonly value: unknown;
  /** `<path> is <value>: <control> (<profile>) allows <allowed values>`. */
  readonly message: string;
}

const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES: ReadonlySet<string> = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);
const RESTRICTED_VOLUME_SOURCES: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const ALLOWED_SECCOMP = new Set(['RuntimeDefault', 'Localhost']);
const ALLOWED_APPARMOR = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const LIFECYCLE_HOOKS = ['postStart', 'preStop'] as const;

type Json = Record<string, unknown>;

function object(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function describeValue(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}

/** Any Kubernetes object as parsed YAML or JSON. */
export interface ManifestLike {
  readonly kind?: unknown;
  readonly [field: string]: unknown;
}

/** A pod's metadata and spec, with the path of the spec inside its manifest. */
export interface PodTemplate {
  readonly metadata: Json;
  readonly spec: Json;
  /** `spec` for a Pod, `spec.template.spec` for a Deployment... */
  readonly specPath: string;
  readonly metadataPath: string;
}

/** Kinds that make pods, with where their pod template sits. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export const WORKLOAD_KINDS: readonly string[] = Object.keys(TEMPLATE_PATHS);

/** The pod template of a workload manifest, or undefined for a kind that makes no pods. */
export function podTemplateOf(manifest: ManifestLike): PodTemplate | undefined {
  const path = typeof manifest.kind === 'string' ? TEMPLATE_PATHS[manifest.kind] : undefined;
  if (path === undefined) return undefined;
  let template: unknown = manifest;
  for (const segment of path) template = object(template)[segment];
  const prefix = path.join('.');
  return {
    metadata: object(object(template)['metadata']),
    spec: object(object(template)['spec']),
    metadataPath: prefix ? `${prefix}.metadata` : 'metadata',
    specPath: prefix ? `${prefix}.spec` : 'spec',
  };
}

class Findings {
  readonly violations: PodSecurityViolation[] = [];
  constructor(private readonly profile: PodSecurityProfile) {}

  /** Whether a control's profile is part of the profile being checked (restricted includes baseline). */
  applies(control: PodSecurityControl): boolean {
    return this.profile === 'restricted' || POD_SECURITY_CONTROLS[control].profile === 'baseline';
  }

  add(control: PodSecurityControl, path: string, value: unknown): void {
    if (!this.applies(control)) return;
    const { title, profile, allowed } = POD_SECURITY_CONTROLS[control];
    this.violations.push({
      control,
      profile,
      path,
      value,
      message: `${path} is ${describeValue(value)}: ${title} (${profile}) allows ${allowed}`,
    });
  }
}

interface ContainerAt {
  readonly container: Json;
  readonly path: string;
}

function containersOf(spec: Json, specPath: string): ContainerAt[] {
  return CONTAINER_LISTS.flatMap((key) =>
    list(spec[key]).map((container, index) => ({
      container: object(container),
      path: `${specPath}.${key}[${index}]`,
    })),
  );
}

function checkSecurityContextShared(context: Json, path: string, findings: Findings): void {
  const windows = object(context['windowsOptions']);
  if (windows['hostProcess'] === true)
    findings.add('hostProcess', `${path}.windowsOptions.hostProcess`, true);
  const seLinux = object(context['seLinuxOptions']);
  const type = seLinux['type'];
  if (type !== undefined && !(typeof type === 'string' && SELINUX_TYPES.has(type)))
    findings.add('seLinux', `${path}.seLinuxOptions.type`, type);
  for (const field of ['user', 'role'] as const) {
    const value = seLinux[field];
    if (value !== undefined && value !== '')
      findings.add('seLinux', `${path}.seLinuxOptions.${field}`, value);
  }
  const appArmor = object(context['appArmorProfile'])['type'];
  if (appArmor !== undefined && !ALLOWED_APPARMOR.has(String(appArmor)))
    findings.add('appArmor', `${path}.appArmorProfile.type`, appArmor);
  const seccomp = object(context['seccompProfile'])['type'];
  if (seccomp === 'Unconfined') findings.add('baselineSeccomp', `${path}.seccompProfile.type`, seccomp);
  if (context['runAsUser'] === 0) findings.add('runAsUser', `${path}.runAsUser`, 0);
}

function checkPodLevel(template: PodTemplate, findings: Findings): void {
  const { spec, specPath, metadata, metadataPath } = template;
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) findings.add('hostNamespaces', `${specPath}.${field}`, true);
  }
  const contextPath = `${specPath}.securityContext`;
  const context = object(spec['securityContext']);
  checkSecurityContextShared(context, contextPath, findings);
  list(context['sysctls']).forEach((sysctl, index) => {
    const name = object(sysctl)['name'];
    if (!(typeof name === 'string' && SAFE_SYSCTLS.has(name)))
      findings.add('sysctls', `${contextPath}.sysctls[${index}].name`, name);
  });
  if (context['runAsNonRoot'] === false) findings.add('runAsNonRoot', `${contextPath}.runAsNonRoot`, false);
  const seccomp = object(context['seccompProfile'])['type'];
  if (seccomp !== undefined && !ALLOWED_SECCOMP.has(String(seccomp)))
    findings.add('restrictedSeccomp', `${contextPath}.seccompProfile.type`, seccomp);

  for (const [key, value] of Object.entries(object(metadata['annotations']))) {
    if (!key.startsWith(APPARMOR_ANNOTATION)) continue;
    if (!(value === 'runtime/default' || (typeof value === 'string' && value.startsWith('localhost/'))))
      findings.add('appArmor', `${metadataPath}.annotations["${key}"]`, value);
  }

  list(spec['volumes']).forEach((entry, index) => {
    const volume = object(entry);
    const path = `${specPath}.volumes[${index}]`;
    if (volume['hostPath'] !== undefined)
      findings.add('hostPathVolumes', `${path}.hostPath`, volume['hostPath']);
    for (const source of Object.keys(volume)) {
      if (source === 'name' || RESTRICTED_VOLUME_SOURCES.has(source)) continue;
      findings.add('volumeTypes', `${path}.${source}`, volume[source]);
    }
  });
}

function checkHandlerHost(handler: unknown, path: string, findings: Findings): void {
  for (const kind of ['httpGet', 'tcpSocket'] as const) {
    const host = object(object(handler)[kind])['host'];
    if (host !== undefined && host !== '') findings.add('hostProbes', `${path}.${kind}.host`, host);
  }
}

function checkContainer(at: ContainerAt, pod: Json, findings: Findings): void {
  const { container, path } = at;
  const contextPath = `${path}.securityContext`;
  const context = object(container['securityContext']);
  checkSecurityContextShared(context, contextPath, findings);
  if (context['privileged'] === true) findings.add('privileged', `${contextPath}.privileged`, true);
  const procMount = context['procMount'];
  if (procMount !== undefined && procMount !== 'Default')
    findings.add('procMount', `${contextPath}.procMount`, procMount);

  list(container['ports']).forEach((port, index) => {
    const hostPort = object(port)['hostPort'];
    if (hostPort !== undefined && hostPort !== 0)
      findings.add('hostPorts', `${path}.ports[${index}].hostPort`, hostPort);
  });
  for (const probe of PROBES) checkHandlerHost(container[probe], `${path}.${probe}`, findings);
  const lifecycle = object(container['lifecycle']);
  for (const hook of LIFECYCLE_HOOKS)
    checkHandlerHost(lifecycle[hook], `${path}.lifecycle.${hook}`, findings);

  const capabilities = object(context['capabilities']);
  list(capabilities['add']).forEach((capability, index) => {
    const capabilityPath = `${contextPath}.capabilities.add[${index}]`;
    if (!BASELINE_CAPABILITIES.has(String(capability)))
      findings.add('baselineCapabilities', capabilityPath, capability);
    if (capability !== 'NET_BIND_SERVICE') findings.add('restrictedCapabilities', capabilityPath, capability);
  });
  if (!list(capabilities['drop']).includes('ALL'))
    findings.add('restrictedCapabilities', `${contextPath}.capabilities.drop`, capabilities['drop']);

  if (context['allowPrivilegeEscalation'] !== false)
    findings.add(
      'privilegeEscalation',
      `${contextPath}.allowPrivilegeEscalation`,
      context['allowPrivilegeEscalation'],
    );

  // A container inherits the pod's runAsNonRoot and seccomp profile when it leaves them unset.
  const podContext = object(pod['securityContext']);
  const runAsNonRoot = context['runAsNonRoot'];
  if (runAsNonRoot === false) findings.add('runAsNonRoot', `${contextPath}.runAsNonRoot`, false);
  else if (runAsNonRoot === undefined && podContext['runAsNonRoot'] !== true)
    findings.add('runAsNonRoot', `${contextPath}.runAsNonRoot`, undefined);
  const seccomp = object(context['seccompProfile'])['type'];
  if (seccomp !== undefined && !ALLOWED_SECCOMP.has(String(seccomp)))
    findings.add('restrictedSeccomp', `${contextPath}.seccompProfile.type`, seccomp);
  else if (seccomp === undefined && object(podContext['seccompProfile'])['type'] === undefined)
    findings.add('restrictedSeccomp', `${contextPath}.seccompProfile.type`, undefined);
}

/** Checks one pod template against a profile; restricted includes every baseline control. */
export function checkPodTemplate(
  template: PodTemplate,
  profile: PodSecurityProfile = 'restricted',
): PodSecurityViolation[] {
  const findings = new Findings(profile);
  checkPodLevel(template, findings);
  for (const at of containersOf(template.spec, template.specPath))
    checkContainer(at, template.spec, findings);
  return findings.violations;
}

/**
 * Checks a manifest: a Pod or any workload kind with a pod template. Kinds that make no pods give no
 * violations; use {@link podTemplateOf} to tell them apart.
 */
export function checkPodSecurity(
  manifest: ManifestLike,
  profile: PodSecurityProfile = 'restricted',
): PodSecurityViolation[] {
  const template = podTemplateOf(manifest);
  return template === undefined ? [] : checkPodTemplate(template, profile);
}
