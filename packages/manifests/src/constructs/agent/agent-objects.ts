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
      // beside the old one (surge) and never take the old one down first.
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
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
