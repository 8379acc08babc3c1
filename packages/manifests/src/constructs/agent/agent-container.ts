import { AGENT_TOKEN_AUDIENCE } from '@sluice/spec';
import { concat, defaultTo, type Expr, sha256, toJson } from '../../template/expr.js';
import { textLines, type Tree, type TreeObject, when, yamlOf } from '../../template/template-tree.js';
import { RECORD_KEY_SECRET_COMPONENT } from '../controller/controller-binding.js';
import { sluiceProbes } from '../workload/container-probes.js';
import { restrictedContainerSecurityContext } from '../workload/pod-security.js';
import {
  CONFIG_DIRECTORY,
  configAndTmpMounts,
  containerImage,
  podFieldVariable,
} from '../workload/sluice-pod.js';
import { sluiceContainerPorts } from '../workload/sluice-ports.js';
import type { AgentBinding } from './agent-binding.js';

export const AGENT_CONFIG_FILE = 'agent.yaml';
/** Where the projected service-account token the agent presents to the controller is mounted. */
const CONTROLLER_TOKEN_DIRECTORY = '/var/run/secrets/sluice/controller-token';
/** Where the record-key Secret is mounted. */
const RECORD_KEY_DIRECTORY = '/var/run/secrets/sluice/record-key';
/** Lifetime of the projected token; kubelet rewrites it at 80% of that, the agent re-reads it on each Connect. */
const CONTROLLER_TOKEN_SECONDS = 3600;

/** The agent's config file (`--config`), keyed as the agent's config schema in `@sluice/spec` expects. */
export function agentConfigFile(binding: AgentBinding): Tree {
  const { values, controllerAddress } = binding;
  return textLines(
    concat('grpcPort: ', toJson(values.ports.grpc.$)),
    concat('httpPort: ', toJson(values.ports.http.$)),
    concat('controller: ', toJson(controllerAddress)),
    concat('agentGroup: ', toJson(values.agentGroup.$)),
    concat('logLevel: ', toJson(values.logLevel.$)),
    concat('drainDelaySeconds: ', toJson(values.drainSeconds.$)),
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
export function agentConfigChecksum(binding: AgentBinding): Expr<string> {
  return sha256(concat(toJson(binding.values.$), toJson(binding.controllerAddress)));
}

export type AgentConfigSource = 'file' | 'environment';

/** The settings of the config file as `SLUICE_AGENT_*` variables, for the sidecar form. */
function configVariables(binding: AgentBinding): Tree[] {
  const { values } = binding;
  return [
    { name: 'SLUICE_AGENT_GRPC_PORT', value: concat(values.ports.grpc.$) },
    { name: 'SLUICE_AGENT_HTTP_PORT', value: concat(values.ports.http.$) },
    { name: 'SLUICE_AGENT_CONTROLLER', value: binding.controllerAddress },
    { name: 'SLUICE_AGENT_AGENT_GROUP', value: values.agentGroup.$ },
    { name: 'SLUICE_AGENT_LOG_LEVEL', value: values.logLevel.$ },
    { name: 'SLUICE_AGENT_DRAIN_DELAY_SECONDS', value: concat(values.drainSeconds.$) },
    when(values.redis.url.$, { name: 'SLUICE_AGENT_REDIS_URL', value: values.redis.url.$ }),
    when(values.defaultControlPoint.$, {
      name: 'SLUICE_AGENT_DEFAULT_CONTROL_POINT',
      value: values.defaultControlPoint.$,
    }),
  ];
}

/** The Redis credentials, only from the Secret the values name. */
function redisVariables(binding: AgentBinding): Tree[] {
  const { values } = binding;
  const redisSecret = values.redis.existingSecret.$;
  return [
    when(redisSecret, {
      name: 'REDIS_USERNAME',
      // The user name is optional in the Secret: Redis before ACLs has only a password.
      valueFrom: { secretKeyRef: { name: redisSecret, key: values.redis.usernameKey.$, optional: true } },
    }),
    when(redisSecret, {
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: redisSecret, key: values.redis.passwordKey.$, optional: false } },
    }),
  ];
}

/**
 * The agent container. A DaemonSet agent reads its config file from the ConfigMap; a sidecar reads the
 * same settings from `SLUICE_AGENT_*` variables, because a ConfigMap would have to exist in every
 * namespace that runs the sidecar.
 */
export function agentContainer(binding: AgentBinding, configSource: AgentConfigSource): TreeObject {
  const { values } = binding;
  const fromFile = configSource === 'file';
  return {
    name: 'agent',
    ...containerImage(values.image),
    args: fromFile ? ['--config', `${CONFIG_DIRECTORY}/${AGENT_CONFIG_FILE}`] : [],
    ports: sluiceContainerPorts(values.ports),
    env: [
      podFieldVariable('NODE_NAME', 'spec.nodeName'),
      podFieldVariable('POD_NAME', 'metadata.name'),
      ...(fromFile ? [] : configVariables(binding)),
      ...redisVariables(binding),
    ],
    resources: yamlOf(values.resources.$),
    ...sluiceProbes(),
    // No preStop hook: `preStop.sleep` is alpha in Kubernetes 1.29 and beta in 1.30 (KEP-3960), and the chart
    // supports 1.28. The agent waits drainDelaySeconds itself on SIGTERM, failing readiness meanwhile.
    securityContext: restrictedContainerSecurityContext(),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: fromFile
      ? [
          ...configAndTmpMounts(),
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
export function agentCredentialVolumes(binding: AgentBinding): TreeObject[] {
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
