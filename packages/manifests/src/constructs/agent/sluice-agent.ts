import type { AgentValuesInput } from '@sluice/spec';
import { Construct } from 'constructs';
import type { Expr } from '../../template/expr.js';
import { evaluateTree } from '../../template/template-tree.js';
import type { ReleaseProps } from '../component-binding.js';
import { addSluiceObjects, type SluiceObject } from '../sluice-object.js';
import { AgentBinding, typedAgentBinding } from './agent-binding.js';
import { agentContainer } from './agent-container.js';
import {
  agentConfigMap,
  agentDaemonSet,
  agentPriorityClassQuota,
  agentService,
  agentServiceAccount,
  needsPriorityClassQuota,
} from './agent-objects.js';

const SOURCE = 'packages/manifests/src/constructs/agent/sluice-agent.ts';
const COMPONENT = 'agent';

/** Props of a typed `SluiceAgent`: the chart's `agent` values plus where and under which release it runs. */
export interface SluiceAgentProps extends Readonly<AgentValuesInput>, ReleaseProps {}

/**
 * The Sluice agent as a DaemonSet: one per node, reached by the node's Envoy sidecars through a Service
 * with `internalTrafficPolicy: Local`, rolled a percentage of nodes at a time with surge so a node is never
 * without an agent, admitted at its critical priority class through a class-scoped ResourceQuota, tolerating every taint, outside the mesh, under the restricted Pod Security profile.
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
    const binding = props instanceof AgentBinding ? props : typedAgentBinding(props);
    const names = binding.component(COMPONENT);
    this.name = names.name;
    this.objects = addSluiceObjects(this, {
      source: SOURCE,
      when: binding.enabled,
      context: binding.context,
      objects: [
        { id: 'ServiceAccount', file: 'agent-serviceaccount.yaml', tree: agentServiceAccount(names) },
        { id: 'ConfigMap', file: 'agent-configmap.yaml', tree: agentConfigMap(binding, names) },
        { id: 'Service', file: 'agent-service.yaml', tree: agentService(binding, names) },
        {
          id: 'PriorityClassQuota',
          file: 'agent-resourcequota.yaml',
          when: needsPriorityClassQuota(binding),
          tree: agentPriorityClassQuota(binding, names),
        },
        { id: 'DaemonSet', file: 'agent-daemonset.yaml', tree: agentDaemonSet(binding, names) },
      ],
    });
  }
}

/**
 * The agent as a container for users who run it inside their own pods (sidecarMode): the same image,
 * probes, resources and security context, configured through environment variables. Point the
 * istioconfig at `localhost:<ports.grpc>` and pick ports the application does not use.
 */
export function agentSidecarContainer(props: SluiceAgentProps = {}): Record<string, unknown> {
  const binding = typedAgentBinding(props);
  if (binding.context === undefined)
    throw new Error('agentSidecarContainer: typed binding without a context');
  return evaluateTree(agentContainer(binding, 'environment'), binding.context) as Record<string, unknown>;
}
