import type { TreeObject } from '../../template/template-tree.js';
import { sluiceApiServicePort, sluiceGrpcServicePort, sluiceServicePorts } from '../workload/sluice-ports.js';
import type { ControllerParts } from './controller-binding.js';

/** The Service agents (with one replica) and sluicectl reach: gRPC, probes and metrics, and the API. */
export function controllerService({ binding, metadata, selector }: ControllerParts): TreeObject {
  const { ports } = binding.values;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [...sluiceServicePorts(ports), sluiceApiServicePort(ports.api.$)],
    },
  };
}

/**
 * With several replicas only the leader serves AgentSync, and every healthy replica is Ready (so the
 * Deployment becomes available and the PodDisruptionBudget allows evictions). The ClusterIP Service
 * would hand each agent connection to any replica; this one resolves to every Ready replica's address,
 * and agents balance their Connects over them until the leader accepts. It carries no http port, so the
 * ServiceMonitor (which selects by release and port name) scrapes each pod once.
 */
export function controllerPeersService(parts: ControllerParts): TreeObject {
  const { binding, peersName, labels, selector } = parts;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: peersName, namespace: binding.namespace, labels },
    spec: {
      type: 'ClusterIP',
      clusterIP: 'None',
      // Only Ready replicas: a starting or failing pod is left out of the agents' list.
      publishNotReadyAddresses: false,
      selector,
      ports: [sluiceGrpcServicePort(binding.values.ports)],
    },
  };
}
