import { eq, type Expr, or } from '../../template/expr.js';
import type { TreeObject } from '../../template/template-tree.js';
import { when, yamlOf } from '../../template/template-tree.js';
import type { ComponentNames } from '../component-binding.js';
import { restrictedPodSecurityContext } from '../workload/pod-security.js';
import { configAndTmpVolumes, outOfMeshPodMetadata } from '../workload/sluice-pod.js';
import { sluiceServicePorts } from '../workload/sluice-ports.js';
import type { AgentBinding } from './agent-binding.js';
import {
  AGENT_CONFIG_FILE,
  agentConfigChecksum,
  agentConfigFile,
  agentContainer,
  agentCredentialVolumes,
} from './agent-container.js';

/** The agent objects, one builder per kind; each returns the object's tree for both renderers. */

export function agentServiceAccount({ metadata }: ComponentNames): TreeObject {
  // The agent never calls the Kubernetes API, so no token is mounted anywhere.
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: false };
}

export function agentConfigMap(binding: AgentBinding, { metadata }: ComponentNames): TreeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata,
    data: { [AGENT_CONFIG_FILE]: agentConfigFile(binding) },
  };
}

export function agentService(binding: AgentBinding, { metadata, selector }: ComponentNames): TreeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'ClusterIP',
      // Each sidecar talks to the agent on its own node: the agent's token buckets and queues are per node.
      internalTrafficPolicy: 'Local',
      selector,
      ports: sluiceServicePorts(binding.values.ports),
    },
  };
}

export function agentDaemonSet(binding: AgentBinding, names: ComponentNames): TreeObject {
  const { values } = binding;
  const { name, labels, selector, metadata } = names;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata,
    spec: {
      selector: { matchLabels: selector },
      revisionHistoryLimit: 10,
      // With internalTrafficPolicy Local a node without a ready agent has no endpoint: start the new pod
      // beside the old one (surge) and never take the old one down first; a percentage of nodes at once.
      updateStrategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: values.maxSurge.$, maxUnavailable: 0 },
      },
      template: {
        metadata: outOfMeshPodMetadata(labels, agentConfigChecksum(binding)),
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          priorityClassName: when(values.priorityClassName.$, values.priorityClassName.$),
          terminationGracePeriodSeconds: values.terminationGracePeriodSeconds.$,
          tolerations: yamlOf(values.tolerations.$),
          securityContext: restrictedPodSecurityContext(),
          containers: [agentContainer(binding, 'file')],
          volumes: [...configAndTmpVolumes(name), ...agentCredentialVolumes(binding)],
        },
      },
    },
  };
}

/** Priority classes an API server may hold back outside kube-system (limitedResources; GKE does). */
export const CRITICAL_PRIORITY_CLASSES = ['system-node-critical', 'system-cluster-critical'] as const;

/** Whether the values pick a class that needs `agentPriorityClassQuota`. */
export function needsPriorityClassQuota(binding: AgentBinding): Expr<unknown> {
  const priorityClass = binding.values.priorityClassName.$;
  return or(...CRITICAL_PRIORITY_CLASSES.map((name) => eq(priorityClass, name)));
}

/**
 * The ResourceQuota that lets critical-class agent pods in: with the ResourceQuota admission plugin's
 * `limitedResources` naming these classes (GKE's default), a pod of such a class is admitted outside
 * kube-system only where a quota's scopeSelector covers its class ("insufficient quota to match these
 * scopes"). The limit is far above any node count: the quota is a key, not a cap.
 */
export function agentPriorityClassQuota(binding: AgentBinding, { metadata }: ComponentNames): TreeObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata,
    spec: {
      // Kubernetes supports 5,000 nodes; twice that leaves room for every surge pod of a rollout.
      hard: { pods: '10000' },
      scopeSelector: {
        matchExpressions: [
          { scopeName: 'PriorityClass', operator: 'In', values: [binding.values.priorityClassName.$] },
        ],
      },
    },
  };
}
