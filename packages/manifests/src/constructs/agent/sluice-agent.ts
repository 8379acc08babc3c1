import {
  AGENT_TOKEN_AUDIENCE,
  AgentValuesSchema,
  type AgentValues,
  type AgentValuesInput,
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
  chartAppVersion,
  concat,
  defaultTo,
  type Expr,
  greaterThan,
  literal,
  sha256,
  ternary,
  toJson,
} from '../../template/expr.js';
import { sluiceProbes } from '../workload/container-probes.js';
import { sluiceContainerPorts, sluiceServicePorts } from '../workload/sluice-ports.js';
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from '../workload/pod-security.js';
import { CONTROLLER_PEERS_COMPONENT, RECORD_KEY_SECRET_COMPONENT } from '../controller/sluice-controller.js';
import { SluiceObject } from '../sluice-object.js';
import {
  evaluateTree,
  textLines,
  type Tree,
  type TreeObject,
  when,
  yamlOf,
} from '../../template/template-tree.js';
import { literalView, type View } from '../../template/values-view.js';

const SOURCE = 'packages/manifests/src/constructs/agent/sluice-agent.ts';
const COMPONENT = 'agent';
/** Where the ConfigMap is mounted; the agent reads `--config` from here. */
const CONFIG_DIRECTORY = '/etc/sluice';
const CONFIG_FILE = 'agent.yaml';
/** The controller's default AgentSync port, used when a typed agent is synthesised without its controller. */
const DEFAULT_CONTROLLER_GRPC_PORT = 8090;
/** Where the projected service-account token the agent presents to the controller is mounted. */
const CONTROLLER_TOKEN_DIRECTORY = '/var/run/secrets/sluice/controller-token';
/** Where the record-key Secret is mounted. */
const RECORD_KEY_DIRECTORY = '/var/run/secrets/sluice/record-key';
/** Lifetime of the projected token; kubelet rewrites it at 80% of that, the agent re-reads it on each Connect. */
const CONTROLLER_TOKEN_SECONDS = 3600;

/** Props of a typed `SluiceAgent`: the chart's `agent` values plus where and under which release it runs. */
export interface SluiceAgentProps extends Readonly<AgentValuesInput>, ReleaseProps {}

/** A bound agent: values read through a view, plus the controller address its chart derives. */
export class AgentBinding extends ComponentBinding<AgentValues> {
  constructor(
    base: ComponentBinding<AgentValues>,
    /** The controller's AgentSync address (`HOST:PORT` or `dns:///HOST:PORT`), already defaulted. */
    readonly controllerAddress: Expr<string>,
  ) {
    super(base.values, base.names, base.namespace, base.enabled, base.context);
  }
}

/** What the agent's controller address derives from: the release's controller. */
export interface AgentControllerOptions {
  /** The controller's AgentSync port. */
  readonly grpcPort: Expr<number>;
  /** The controller's replica count; with more than one, agents dial every replica. @default one */
  readonly replicas?: Expr<number>;
}

/**
 * The values' `controllerAddress`, or else this release's controller: with one replica its Service,
 * `<controller fullname>.<namespace>.svc:<port>`; with several the headless Service over every Ready
 * replica, `dns:///<controller fullname>-peers.<namespace>.svc:<port>`, over which the agent balances its
 * Connects until the leader accepts one.
 */
export function agentControllerAddress(
  binding: ComponentBinding<AgentValues>,
  controller: AgentControllerOptions,
): Expr<string> {
  const at = (component: string) =>
    concat(binding.names.component(component), '.', binding.namespace, '.svc:', controller.grpcPort);
  const service = at('controller');
  const derived =
    controller.replicas === undefined
      ? service
      : ternary(
          greaterThan(controller.replicas, 1),
          concat('dns:///', at(CONTROLLER_PEERS_COMPONENT)),
          service,
        );
  return defaultTo(binding.values.controllerAddress.$, derived);
}

function bindTyped(props: SluiceAgentProps): AgentBinding {
  const { release, rest } = splitReleaseProps(props);
  const context = releaseContext(release, SLUICE_CHART, 'SluiceAgent');
  const values = parseProps(AgentValuesSchema, rest, 'SluiceAgent');
  const base = new ComponentBinding<AgentValues>(
    literalView(values),
    literalNames(release, 'sluice'),
    literal(context.release.namespace),
    undefined,
    context,
  );
  return new AgentBinding(
    base,
    agentControllerAddress(base, { grpcPort: literal(DEFAULT_CONTROLLER_GRPC_PORT) }),
  );
}

/** The agent's config file (`--config`), keyed as the agent's config schema in `@sluice/spec` expects. */
function configFile(values: View<AgentValues>, controllerAddress: Expr<string>): Tree {
  return textLines(
    concat('grpcPort: ', toJson(values.ports.grpc.$)),
    concat('httpPort: ', toJson(values.ports.http.$)),
    concat('controller: ', toJson(controllerAddress)),
    concat('agentGroup: ', toJson(values.agentGroup.$)),
    concat('logLevel: ', toJson(values.logLevel.$)),
    when(values.redis.url.$, concat('redisUrl: ', toJson(values.redis.url.$))),
    when(values.defaultControlPoint.$, concat('defaultControlPoint: ', toJson(values.defaultControlPoint.$))),
    `controllerTokenFile: "${CONTROLLER_TOKEN_DIRECTORY}/token"`,
    `recordKeyFile: "${RECORD_KEY_DIRECTORY}/record-key"`,
  );
}

/**
 * A digest of everything the config file is made of: the agent values and the derived controller address.
 * Hashing the inputs rather than the rendered file keeps it computable by both renderers.
 */
function configChecksum(binding: AgentBinding): Expr<string> {
  return sha256(concat(toJson(binding.values.$), toJson(binding.controllerAddress)));
}

export type AgentConfigSource = 'file' | 'environment';

/**
 * The agent container. A DaemonSet agent reads its config file from the ConfigMap; a sidecar reads the
 * same settings from `SLUICE_AGENT_*` variables, because a ConfigMap would have to exist in every
 * namespace that runs the sidecar.
 */
function agentContainer(binding: AgentBinding, configSource: AgentConfigSource): TreeObject {
  const { values } = binding;
  const redisSecret = values.redis.existingSecret.$;
  const fromConfig: Tree[] =
    configSource === 'file'
      ? []
      : [
          { name: 'SLUICE_AGENT_GRPC_PORT', value: concat(values.ports.grpc.$) },
          { name: 'SLUICE_AGENT_HTTP_PORT', value: concat(values.ports.http.$) },
          { name: 'SLUICE_AGENT_CONTROLLER', value: binding.controllerAddress },
          { name: 'SLUICE_AGENT_AGENT_GROUP', value: values.agentGroup.$ },
          { name: 'SLUICE_AGENT_LOG_LEVEL', value: values.logLevel.$ },
          when(values.redis.url.$, { name: 'SLUICE_AGENT_REDIS_URL', value: values.redis.url.$ }),
          when(values.defaultControlPoint.$, {
            name: 'SLUICE_AGENT_DEFAULT_CONTROL_POINT',
            value: values.defaultControlPoint.$,
          }),
        ];
  return {
    name: 'agent',
    image: concat(values.image.repository.$, ':', defaultTo(values.image.tag.$, chartAppVersion)),
    imagePullPolicy: values.image.pullPolicy.$,
    args: configSource === 'file' ? ['--config', `${CONFIG_DIRECTORY}/${CONFIG_FILE}`] : [],
    ports: sluiceContainerPorts(values.ports),
    env: [
      { name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      ...fromConfig,
      when(redisSecret, {
        name: 'REDIS_USERNAME',
        // The user name is optional in the Secret: Redis before ACLs has only a password.
        valueFrom: { secretKeyRef: { name: redisSecret, key: values.redis.usernameKey.$, optional: true } },
      }),
      when(redisSecret, {
        name: 'REDIS_PASSWORD',
        valueFrom: { secretKeyRef: { name: redisSecret, key: values.redis.passwordKey.$, optional: false } },
      }),
    ],
    resources: yamlOf(values.resources.$),
    ...sluiceProbes(),
    // Waiting before SIGTERM lets Envoy and kube-proxy drop this endpoint first; the agent then drains its
    // gRPC streams with GOAWAY. Zero means no wait, and the hook is left out.
    lifecycle: when(values.drainSeconds.$, { preStop: { sleep: { seconds: values.drainSeconds.$ } } }),
    securityContext: restrictedContainerSecurityContext(),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts:
      configSource === 'file'
        ? [
            { name: 'config', mountPath: CONFIG_DIRECTORY, readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
            { name: 'controller-token', mountPath: CONTROLLER_TOKEN_DIRECTORY, readOnly: true },
            { name: 'record-key', mountPath: RECORD_KEY_DIRECTORY, readOnly: true },
          ]
        : [],
  };
}

/**
 * The agent's credentials as volumes: a projected service-account token for the controller's
 * TokenReview (audience `sluice-controller`, 1 h; the pod mounts no other token), and the record-key
 * Secret (the user's, or the one the controller creates at run time). The Secret volume is optional, so
 * an agent that starts before the controller has created it still starts (kubelet fills the volume once
 * the Secret exists).
 */
function credentialVolumes(binding: AgentBinding): TreeObject[] {
  const { values, names } = binding;
  return [
    {
      name: 'controller-token',
      projected: {
        defaultMode: 0o444,
        sources: [
          {
            serviceAccountToken: {
              audience: AGENT_TOKEN_AUDIENCE,
              expirationSeconds: CONTROLLER_TOKEN_SECONDS,
              path: 'token',
            },
          },
        ],
      },
    },
    {
      name: 'record-key',
      secret: {
        secretName: defaultTo(
          values.recordKey.existingSecret.$,
          names.component(RECORD_KEY_SECRET_COMPONENT),
        ),
        optional: true,
        defaultMode: 0o444,
        items: [{ key: values.recordKey.key.$, path: 'record-key' }],
      },
    },
  ];
}

/**
 * The Sluice agent as a DaemonSet: one per node, reached by the node's Envoy sidecars through a Service
 * with `internalTrafficPolicy: Local`, rolled one node at a time with surge so a node is never without
 * an agent, tolerating every taint, outside the mesh, under the restricted Pod Security profile.
 *
 * Typed: `new SluiceAgent(chart, 'agent', { release: 'sluice', image: { tag: '0.1.0' } })`.
 * The `sluice` chart builds the same objects from `.Values.agent`.
 */
export class SluiceAgent extends Construct {
  /** Objects in creation order; each renders once for synthesis and once as a chart template. */
  readonly objects: readonly SluiceObject[];
  /** `<fullname>-agent`: the name of every agent object, and the Service Envoy dials. */
  readonly name: Expr<string>;

  constructor(scope: Construct, id: string, props: SluiceAgentProps | AgentBinding = {}) {
    super(scope, id);
    const binding = props instanceof AgentBinding ? props : bindTyped(props);
    const { values, names, namespace, context } = binding;
    const name = names.component(COMPONENT);
    this.name = name;
    const labels = names.labels(COMPONENT);
    const selector = names.selectorLabels(COMPONENT);
    const metadata = { name, namespace, labels };
    const common = { source: SOURCE, when: binding.enabled, context };

    const serviceAccount = new SluiceObject(this, 'ServiceAccount', {
      ...common,
      file: 'agent-serviceaccount.yaml',
      // The agent never calls the Kubernetes API, so no token is mounted anywhere.
      tree: { apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: false },
    });

    const configMap = new SluiceObject(this, 'ConfigMap', {
      ...common,
      file: 'agent-configmap.yaml',
      tree: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata,
        data: { [CONFIG_FILE]: configFile(values, binding.controllerAddress) },
      },
    });

    const service = new SluiceObject(this, 'Service', {
      ...common,
      file: 'agent-service.yaml',
      tree: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata,
        spec: {
          type: 'ClusterIP',
          // Each sidecar talks to the agent on its own node: the agent's token buckets and queues are per node.
          internalTrafficPolicy: 'Local',
          selector,
          ports: sluiceServicePorts(values.ports),
        },
      },
    });

    const daemonSet = new SluiceObject(this, 'DaemonSet', {
      ...common,
      file: 'agent-daemonset.yaml',
      tree: {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata,
        spec: {
          selector: { matchLabels: selector },
          revisionHistoryLimit: 10,
          // With internalTrafficPolicy Local a node without a ready agent has no endpoint: start the new pod
          // beside the old one (surge) and never take the old one down first.
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: {
            metadata: {
              // Newer Istio reads the label, older the annotation; both keep the pod out of the mesh.
              labels: { ...labels, 'sidecar.istio.io/inject': 'false' },
              annotations: {
                // sluice-system runs outside the mesh; see DESIGN "Mesh security stance".
                'sidecar.istio.io/inject': 'false',
                // A config change must roll the pods: the agent reads its file once at start.
                'checksum/config': configChecksum(binding),
              },
            },
            spec: {
              serviceAccountName: name,
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              priorityClassName: when(values.priorityClassName.$, values.priorityClassName.$),
              terminationGracePeriodSeconds: values.terminationGracePeriodSeconds.$,
              tolerations: yamlOf(values.tolerations.$),
              securityContext: restrictedPodSecurityContext(),
              containers: [agentContainer(binding, 'file')],
              volumes: [
                { name: 'config', configMap: { name, defaultMode: 0o444 } },
                // The root filesystem is read-only; /tmp is the one writable place.
                { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
                ...credentialVolumes(binding),
              ],
            },
          },
        },
      },
    });

    this.objects = [serviceAccount, configMap, service, daemonSet];
  }
}

/**
 * The agent as a container for users who run it inside their own pods (sidecarMode): the same image,
 * probes, resources and security context, configured through environment variables. Point the
 * istioconfig at `localhost:<ports.grpc>` and pick ports the application does not use.
 */
export function agentSidecarContainer(props: SluiceAgentProps = {}): Record<string, unknown> {
  const binding = bindTyped(props);
  if (binding.context === undefined)
    throw new Error('agentSidecarContainer: typed binding without a context');
  return evaluateTree(agentContainer(binding, 'environment'), binding.context) as Record<string, unknown>;
}
