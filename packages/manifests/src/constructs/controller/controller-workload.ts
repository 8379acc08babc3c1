import { type TreeObject, when, yamlOf } from '../../template/template-tree.js';
import { sluiceProbes } from '../workload/container-probes.js';
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from '../workload/pod-security.js';
import {
  CONFIG_DIRECTORY,
  configAndTmpMounts,
  configAndTmpVolumes,
  containerImage,
  outOfMeshPodMetadata,
  podFieldVariable,
} from '../workload/sluice-pod.js';
import { sluiceApiContainerPort, sluiceContainerPorts } from '../workload/sluice-ports.js';
import type { ControllerParts } from './controller-binding.js';
import { CONTROLLER_CONFIG_FILE, controllerConfigChecksum } from './controller-config.js';

function controllerContainer({ binding, name, leaderElection }: ControllerParts): TreeObject {
  const { values } = binding;
  const tokenSecret = values.apiToken.existingSecret.$;
  return {
    name: 'controller',
    ...containerImage(values.image),
    args: ['--config', `${CONFIG_DIRECTORY}/${CONTROLLER_CONFIG_FILE}`],
    ports: [...sluiceContainerPorts(values.ports), sluiceApiContainerPort(values.ports.api.$)],
    env: [
      podFieldVariable('POD_NAME', 'metadata.name'),
      podFieldVariable('POD_NAMESPACE', 'metadata.namespace'),
      // The pod name is the leader's identity in the Lease; POD_NAMESPACE is where the Lease lives.
      when(leaderElection, { name: 'SLUICE_CONTROLLER_LEADER_ELECTION', value: 'true' }),
      when(leaderElection, { name: 'SLUICE_CONTROLLER_LEASE_NAME', value: name }),
      when(tokenSecret, {
        name: 'SLUICE_CONTROLLER_API_TOKEN',
        valueFrom: { secretKeyRef: { name: tokenSecret, key: values.apiToken.key.$, optional: false } },
      }),
    ],
    resources: yamlOf(values.resources.$),
    ...sluiceProbes(),
    securityContext: restrictedContainerSecurityContext(),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: configAndTmpMounts(),
  };
}

export function controllerDeployment(parts: ControllerParts): TreeObject {
  const { binding, name, labels, selector, metadata } = parts;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: binding.values.replicas.$,
      revisionHistoryLimit: 10,
      selector: { matchLabels: selector },
      // One replica: old and new never run side by side (no Lease to settle who leads); agents keep their
      // last decisions for their time-to-live while the replacement starts. Several replicas elect a
      // leader through the Lease, so they roll one pod at a time and a standby is always there to take over.
      strategy: when(
        parts.leaderElection,
        { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
        { type: 'Recreate' },
      ),
      template: {
        metadata: outOfMeshPodMetadata(labels, controllerConfigChecksum(parts)),
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: true,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          // Replicas on one node would all go with it: spread them by hostname (softly, so a one-node
          // cluster still schedules them).
          topologySpreadConstraints: when(parts.leaderElection, [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selector },
            },
          ]),
          securityContext: restrictedPodSecurityContext(),
          containers: [controllerContainer(parts)],
          volumes: configAndTmpVolumes(name),
        },
      },
    },
  };
}

/**
 * maxUnavailable 1: with one replica an eviction is always allowed, so a node drain never waits on the
 * controller (minAvailable 1 would block it for good); with several (all Ready, followers too), one at a
 * time, the leader included: its Lease passes to a follower within seconds.
 */
export function controllerDisruptionBudget({ metadata, selector }: ControllerParts): TreeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata,
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  };
}
