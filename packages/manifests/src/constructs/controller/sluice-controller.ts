import {
  FLOW_POLICY_CRD,
  ControllerValuesSchema,
  type ControllerValues,
  type ControllerValuesInput,
} from '@sluice/spec';
import { Construct } from 'constructs';
import {
  ComponentBinding,
  literalNames,
  parseProps,
  releaseContext,
  type ReleaseProps,
  SLUICE_CHART,
  splitReleaseProps,
} from '../component-binding.js';
import {
  and,
  chartAppVersion,
  concat,
  defaultTo,
  type Expr,
  greaterThan,
  literal,
  not,
  or,
  sha256,
  toJson,
} from '../../template/expr.js';
import { sluiceProbes } from '../workload/container-probes.js';
import type { HelmNames } from '../../template/helm-names.js';
import {
  sluiceApiContainerPort,
  sluiceApiServicePort,
  sluiceContainerPorts,
  sluiceGrpcServicePort,
  sluiceServicePorts,
} from '../workload/sluice-ports.js';
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from '../workload/pod-security.js';
import { SluiceObject } from '../sluice-object.js';
import { textLines, type Tree, when, yamlOf } from '../../template/template-tree.js';
import { literalView } from '../../template/values-view.js';

const SOURCE = 'packages/manifests/src/constructs/controller/sluice-controller.ts';
const COMPONENT = 'controller';
/**
 * The name suffix of the headless Service over every controller replica (`<fullname>-controller-peers`),
 * rendered with more than one replica; agents dial it as `dns:///…` to find the leader.
 */
export const CONTROLLER_PEERS_COMPONENT = 'controller-peers';
const CONFIG_DIRECTORY = '/etc/sluice';
const CONFIG_FILE = 'controller.yaml';
/** The API group of Lease objects, which leader election holds. */
const COORDINATION_GROUP = 'coordination.k8s.io';
/** The name suffix of the Secret the controller creates for the API token (`<fullname>-controller-api-token`). */
export const API_TOKEN_SECRET_COMPONENT = 'controller-api-token';
/** The name suffix of the record-key Secret agents mount (`<fullname>-record-key`), created by the controller. */
export const RECORD_KEY_SECRET_COMPONENT = 'record-key';

/** A bound controller: values through a view, plus whether it creates the record-key Secret the agents mount. */
export class ControllerBinding extends ComponentBinding<ControllerValues> {
  constructor(
    base: ComponentBinding<ControllerValues>,
    /** Truthy when the agents mount the runtime record-key Secret (no Secret of the user's is named). */
    readonly createsRecordKey: Expr<unknown>,
  ) {
    super(base.values, base.names, base.namespace, base.enabled, base.context);
  }
}

/** The Service's DNS names the API answers (its Host check refuses any other name). */
function apiHostNames(name: Expr<string>, namespace: Expr<string>): Expr<string>[] {
  return [
    name,
    concat(name, '.', namespace),
    concat(name, '.', namespace, '.svc'),
    concat(name, '.', namespace, '.svc.cluster.local'),
  ];
}

/** The agents' service account, `<namespace>/<fullname>-agent`: the one TokenReview principal admitted. */
function agentServiceAccount(names: HelmNames, namespace: Expr<string>): Expr<string> {
  return concat(namespace, '/', names.component('agent'));
}

/** Props of a typed `SluiceController`: the chart's `controller` values plus release and namespace. */
export interface SluiceControllerProps extends Readonly<ControllerValuesInput>, ReleaseProps {}

function bindTyped(props: SluiceControllerProps): ControllerBinding {
  const { release, rest } = splitReleaseProps(props);
  const context = releaseContext(release, SLUICE_CHART, 'SluiceController');
  const values = parseProps(ControllerValuesSchema, rest, 'SluiceController');
  const base = new ComponentBinding<ControllerValues>(
    literalView(values),
    literalNames(release, 'sluice'),
    literal(context.release.namespace),
    undefined,
    context,
  );
  // Alone, the controller cannot know the agents' values: it creates the record key they mount by default.
  return new ControllerBinding(base, literal(true));
}

/** The controller's config file, keyed as the controller config schema in `@sluice/spec` expects. */
function configFile(binding: ControllerBinding, name: Expr<string>): Tree {
  const { values, names, namespace } = binding;
  const hosts = apiHostNames(name, namespace);
  return textLines(
    concat('grpcPort: ', toJson(values.ports.grpc.$)),
    concat('httpPort: ', toJson(values.ports.http.$)),
    concat('apiPort: ', toJson(values.ports.api.$)),
    // In a cluster the controller reads FlowPolicy resources of its own namespace, the only ones its Role covers.
    'kubernetes: true',
    concat('namespace: ', toJson(namespace)),
    concat('logLevel: ', toJson(values.logLevel.$)),
    // Agents present their projected service-account token; TokenReview says which pod sent it.
    'agentAuth: "kubernetes"',
    concat('agentServiceAccount: ', toJson(agentServiceAccount(names, namespace))),
    // Created at run time when absent, never rendered: a rendered random value would change every render.
    when(
      not(values.apiToken.existingSecret.$),
      concat('apiTokenSecret: ', toJson(names.component(API_TOKEN_SECRET_COMPONENT))),
    ),
    when(
      binding.createsRecordKey,
      concat('recordKeySecret: ', toJson(names.component(RECORD_KEY_SECRET_COMPONENT))),
    ),
    concat(
      'apiAllowedHosts: [',
      ...hosts.flatMap((host, index) => (index === 0 ? [toJson(host)] : [', ', toJson(host)])),
      ']',
    ),
  );
}

/**
 * The Sluice controller: one replica by default, or several that elect a leader through a Lease, so two
 * controllers never push conflicting decisions; replaced with Recreate; a Service agents and sluicectl
 * reach (gRPC, probes and metrics, and the API on a port of its own); with several replicas also a
 * headless Service over all of them (agents try each Ready replica until the leader accepts them; every
 * healthy replica is Ready); a Role limited to FlowPolicy resources, the runtime Secrets it creates
 * (the API token and the agents' record key) and (with leader election) its own Lease in its namespace;
 * a ClusterRole for TokenReview only (agents authenticate with their projected service-account token);
 * and a PodDisruptionBudget that never blocks a node drain.
 */
export class SluiceController extends Construct {
  readonly objects: readonly SluiceObject[];
  /** `<fullname>-controller`: the Service agents dial with one replica, and sluicectl. */
  readonly name: Expr<string>;
  /** `<fullname>-controller-peers`: the headless Service agents dial with several replicas. */
  readonly peersName: Expr<string>;

  constructor(scope: Construct, id: string, props: SluiceControllerProps | ControllerBinding = {}) {
    super(scope, id);
    const binding = props instanceof ControllerBinding ? props : bindTyped(props);
    const { values, names, namespace, context } = binding;
    const name = names.component(COMPONENT);
    this.name = name;
    const peersName = names.component(CONTROLLER_PEERS_COMPONENT);
    this.peersName = peersName;
    const labels = names.labels(COMPONENT);
    const selector = names.selectorLabels(COMPONENT);
    const metadata = { name, namespace, labels };
    const common = { source: SOURCE, when: binding.enabled, context };
    const tokenSecret = values.apiToken.existingSecret.$;
    // Several replicas would each steer the agents: they elect a leader, and the Lease is named after the
    // controller (one per release, so two releases never share a leader).
    const leaderElection = greaterThan(values.replicas.$, 1);
    const createsApiToken = not(tokenSecret);
    const createsSecret = or(createsApiToken, binding.createsRecordKey);
    // Cluster-scoped: two releases of the same name in two namespaces must not share it.
    const clusterName = concat(namespace, '-', name);

    const serviceAccount = new SluiceObject(this, 'ServiceAccount', {
      ...common,
      file: 'controller-serviceaccount.yaml',
      // The controller watches FlowPolicy resources, so it needs its token.
      tree: { apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: true },
    });

    const role = new SluiceObject(this, 'Role', {
      ...common,
      file: 'controller-role.yaml',
      tree: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata,
        rules: [
          {
            apiGroups: [FLOW_POLICY_CRD.group],
            resources: [FLOW_POLICY_CRD.plural],
            verbs: ['get', 'list', 'watch'],
          },
          {
            apiGroups: [FLOW_POLICY_CRD.group],
            resources: [`${FLOW_POLICY_CRD.plural}/status`],
            verbs: ['get', 'update', 'patch'],
          },
          // The runtime Secrets: created when absent, then read. RBAC cannot limit create to a name (the
          // object does not exist at authorisation); get is limited to the two names.
          when(createsSecret, { apiGroups: [''], resources: ['secrets'], verbs: ['create'] }),
          when(createsSecret, {
            apiGroups: [''],
            resources: ['secrets'],
            resourceNames: [
              when(createsApiToken, names.component(API_TOKEN_SECRET_COMPONENT)),
              when(binding.createsRecordKey, names.component(RECORD_KEY_SECRET_COMPONENT)),
            ],
            verbs: ['get'],
          }),
          // RBAC cannot limit create to a name (the object does not exist yet at authorisation), so create
          // is granted on its own and get/update only on the controller's own Lease.
          when(leaderElection, { apiGroups: [COORDINATION_GROUP], resources: ['leases'], verbs: ['create'] }),
          when(leaderElection, {
            apiGroups: [COORDINATION_GROUP],
            resources: ['leases'],
            resourceNames: [name],
            verbs: ['get', 'update'],
          }),
        ],
      },
    });

    const roleBinding = new SluiceObject(this, 'RoleBinding', {
      ...common,
      file: 'controller-rolebinding.yaml',
      tree: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    });

    // TokenReview is cluster-scoped, so its one permission needs a ClusterRole.
    const clusterRole = new SluiceObject(this, 'ClusterRole', {
      ...common,
      file: 'controller-clusterrole.yaml',
      tree: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: clusterName, labels },
        rules: [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }],
      },
    });

    const clusterRoleBinding = new SluiceObject(this, 'ClusterRoleBinding', {
      ...common,
      file: 'controller-clusterrolebinding.yaml',
      tree: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: clusterName, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    });

    const configMap = new SluiceObject(this, 'ConfigMap', {
      ...common,
      file: 'controller-configmap.yaml',
      tree: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata,
        data: { [CONFIG_FILE]: configFile(binding, name) },
      },
    });

    const service = new SluiceObject(this, 'Service', {
      ...common,
      file: 'controller-service.yaml',
      tree: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata,
        spec: {
          type: 'ClusterIP',
          selector,
          ports: [...sluiceServicePorts(values.ports), sluiceApiServicePort(values.ports.api.$)],
        },
      },
    });

    // With several replicas only the leader serves AgentSync, and every healthy replica is Ready (so the
    // Deployment becomes available and the PodDisruptionBudget allows evictions). The ClusterIP Service
    // would hand each agent connection to any replica; this one resolves to every Ready replica's
    // address, and agents balance their Connects over them until the leader accepts. It carries no
    // http port, so the ServiceMonitor (which selects by release and port name) scrapes each pod once.
    const peersService = new SluiceObject(this, 'PeersService', {
      ...common,
      when: binding.enabled === undefined ? leaderElection : and(binding.enabled, leaderElection),
      file: 'controller-peers-service.yaml',
      tree: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: peersName, namespace, labels },
        spec: {
          type: 'ClusterIP',
          clusterIP: 'None',
          // Only Ready replicas: a starting or failing pod is left out of the agents' list.
          publishNotReadyAddresses: false,
          selector,
          ports: [sluiceGrpcServicePort(values.ports)],
        },
      },
    });

    const deployment = new SluiceObject(this, 'Deployment', {
      ...common,
      file: 'controller-deployment.yaml',
      tree: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata,
        spec: {
          replicas: values.replicas.$,
          revisionHistoryLimit: 10,
          selector: { matchLabels: selector },
          // Old and new versions never run side by side (an old leader could hold its Lease against the new
          // pods); agents keep their last decisions for their time-to-live while the replacement starts.
          strategy: { type: 'Recreate' },
          template: {
            metadata: {
              // Newer Istio reads the label, older the annotation; both keep the pod out of the mesh.
              labels: { ...labels, 'sidecar.istio.io/inject': 'false' },
              annotations: {
                'sidecar.istio.io/inject': 'false',
                // A config change must roll the pod; the digest covers every input of the config file.
                'checksum/config': sha256(
                  concat(
                    toJson(values.$),
                    toJson(namespace),
                    // Whether it creates the agents' record key (the agent values decide).
                    toJson(not(binding.createsRecordKey)),
                  ),
                ),
              },
            },
            spec: {
              serviceAccountName: name,
              automountServiceAccountToken: true,
              enableServiceLinks: false,
              terminationGracePeriodSeconds: 30,
              securityContext: restrictedPodSecurityContext(),
              containers: [
                {
                  name: 'controller',
                  image: concat(
                    values.image.repository.$,
                    ':',
                    defaultTo(values.image.tag.$, chartAppVersion),
                  ),
                  imagePullPolicy: values.image.pullPolicy.$,
                  args: ['--config', `${CONFIG_DIRECTORY}/${CONFIG_FILE}`],
                  ports: [...sluiceContainerPorts(values.ports), sluiceApiContainerPort(values.ports.api.$)],
                  env: [
                    {
                      name: 'POD_NAME',
                      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
                    },
                    {
                      name: 'POD_NAMESPACE',
                      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                    },
                    // The pod name is the leader's identity in the Lease; POD_NAMESPACE is where the Lease lives.
                    when(leaderElection, { name: 'SLUICE_CONTROLLER_LEADER_ELECTION', value: 'true' }),
                    when(leaderElection, { name: 'SLUICE_CONTROLLER_LEASE_NAME', value: name }),
                    when(tokenSecret, {
                      name: 'SLUICE_CONTROLLER_API_TOKEN',
                      valueFrom: {
                        secretKeyRef: { name: tokenSecret, key: values.apiToken.key.$, optional: false },
                      },
                    }),
                  ],
                  resources: yamlOf(values.resources.$),
                  ...sluiceProbes(),
                  securityContext: restrictedContainerSecurityContext(),
                  terminationMessagePolicy: 'FallbackToLogsOnError',
                  volumeMounts: [
                    { name: 'config', mountPath: CONFIG_DIRECTORY, readOnly: true },
                    { name: 'tmp', mountPath: '/tmp' },
                  ],
                },
              ],
              volumes: [
                { name: 'config', configMap: { name, defaultMode: 0o444 } },
                { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
              ],
            },
          },
        },
      },
    });

    const disruptionBudget = new SluiceObject(this, 'PodDisruptionBudget', {
      ...common,
      file: 'controller-poddisruptionbudget.yaml',
      tree: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata,
        spec: {
          // maxUnavailable 1: with one replica an eviction is always allowed, so a node drain never waits on the
          // controller (minAvailable 1 would block it for good); with several (all Ready, followers too), one
          // at a time, the leader included: its Lease passes to a follower within seconds.
          maxUnavailable: 1,
          selector: { matchLabels: selector },
        },
      },
    });

    this.objects = [
      serviceAccount,
      role,
      roleBinding,
      clusterRole,
      clusterRoleBinding,
      configMap,
      service,
      peersService,
      deployment,
      disruptionBudget,
    ];
  }
}
