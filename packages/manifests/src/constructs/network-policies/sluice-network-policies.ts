import type { NetworkPolicyValues } from '@sluice/spec';
import { Construct } from 'constructs';
import { and, type Expr } from '../../template/expr.js';
import { type Tree, type TreeObject, when, yamlOf } from '../../template/template-tree.js';
import type { ComponentBindingOptions } from '../component-binding.js';
import { addSluiceObjects, type SluiceObject } from '../sluice-object.js';
import type { SluicePorts } from '../workload/sluice-ports.js';

const SOURCE = 'packages/manifests/src/constructs/network-policies/sluice-network-policies.ts';
/** Set by the API server on every namespace from its name; a namespace cannot relabel itself into access. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** One deployable the policies protect: whether it is rendered, and its ports. */
export interface ProtectedComponent {
  readonly enabled: Expr<unknown>;
  readonly ports: SluicePorts;
}

/** The `networkPolicy` values, and the two deployables the policies protect. */
export interface SluiceNetworkPoliciesBinding extends Omit<
  ComponentBindingOptions<NetworkPolicyValues>,
  'enabled'
> {
  readonly agent: ProtectedComponent;
  /** The controller, with the port of its `/v1` API. */
  readonly controller: ProtectedComponent & { readonly apiPort: Expr<number> };
}

/** A namespace selector for the namespaces named in a list. */
function namespacesNamed(list: Expr<readonly string[]>): TreeObject {
  return { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: yamlOf(list) }] };
}

function tcp(port: Expr<number>): TreeObject {
  return { protocol: 'TCP', port };
}

/**
 * A rule admitting pods of the listed namespaces to one port, present only when the list is not empty: an
 * ingress rule with an empty `from` would admit every source, the opposite of what an empty list means.
 */
function fromNamespaces(list: Expr<readonly string[]>, port: Expr<number>): Tree {
  return when(list, { from: [{ namespaceSelector: namespacesNamed(list) }], ports: [tcp(port)] });
}

/** An ingress-only NetworkPolicy over one component's pods. */
function networkPolicy(
  binding: SluiceNetworkPoliciesBinding,
  component: string,
  ingress: readonly Tree[],
): TreeObject {
  const { names, namespace } = binding;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: names.component(component), namespace, labels: names.labels(component) },
    spec: {
      podSelector: { matchLabels: names.selectorLabels(component) },
      policyTypes: ['Ingress'],
      ingress,
    },
  };
}

function agentNetworkPolicy(binding: SluiceNetworkPoliciesBinding): TreeObject {
  const { values, agent } = binding;
  const sidecars = values.sidecarNamespaces.$;
  return networkPolicy(binding, 'agent', [
    {
      // An empty selector is every namespace; a sidecar's own pod IP is the source Envoy dials from.
      from: [{ namespaceSelector: when(sidecars, namespacesNamed(sidecars), {}) }],
      ports: [tcp(agent.ports.grpc.$)],
    },
    fromNamespaces(values.metricsNamespaces.$, agent.ports.http.$),
  ]);
}

function controllerNetworkPolicy(binding: SluiceNetworkPoliciesBinding): TreeObject {
  const { values, names, controller } = binding;
  return networkPolicy(binding, 'controller', [
    {
      // No namespaceSelector: the agent pods of this release, in the policy's own namespace.
      from: [{ podSelector: { matchLabels: names.selectorLabels('agent') } }],
      ports: [tcp(controller.ports.grpc.$)],
    },
    fromNamespaces(values.metricsNamespaces.$, controller.ports.http.$),
    // The API has a port of its own, which also asks for its bearer token.
    fromNamespaces(values.apiNamespaces.$, controller.apiPort),
  ]);
}

/**
 * Optional ingress NetworkPolicies for the `sluice` chart (`networkPolicy.enabled`), one per deployable:
 *
 * - agent gRPC: pods of `sidecarNamespaces`, or of every namespace when the list is empty, because Envoy
 *   sidecars and gateways live wherever the mesh does;
 * - agent and controller HTTP (probes and metrics): pods of `metricsNamespaces` (scrapes);
 * - controller API: pods of `apiNamespaces` (sluicectl in the cluster; `kubectl port-forward` needs no rule);
 * - controller gRPC: only this release's agent pods.
 *
 * Kubelet probes come from the pod's own node, which NetworkPolicy always admits ("traffic to and from the
 * node where a Pod is running is always allowed"), so no rule names them; CNIs that filter node traffic
 * anyway (rare) need the node addresses admitted by a policy of their own. Egress is left open: the agent
 * dials the controller and Redis, the controller the API server.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class SluiceNetworkPolicies extends Construct {
  readonly objects: readonly SluiceObject[];

  constructor(scope: Construct, id: string, binding: SluiceNetworkPoliciesBinding) {
    super(scope, id);
    const { values, agent, controller } = binding;
    this.objects = addSluiceObjects(this, {
      source: SOURCE,
      context: binding.context,
      objects: [
        {
          id: 'AgentNetworkPolicy',
          file: 'agent-networkpolicy.yaml',
          when: and(values.enabled.$, agent.enabled),
          tree: agentNetworkPolicy(binding),
        },
        {
          id: 'ControllerNetworkPolicy',
          file: 'controller-networkpolicy.yaml',
          when: and(values.enabled.$, controller.enabled),
          tree: controllerNetworkPolicy(binding),
        },
      ],
    });
  }
}
