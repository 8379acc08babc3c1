import {
  type AgentValues,
  type ControllerValues,
  type MonitoringValues,
  type NetworkPolicyValues,
  type SluiceChartValues,
  SluiceChartValuesSchema,
} from '@sluice/spec';
import { and, not } from '../../template/expr.js';
import type { View } from '../../template/values-view.js';
import { AgentBinding, agentControllerAddress } from '../agent/agent-binding.js';
import {
  ComponentBinding,
  type ReleaseProps,
  SLUICE_CHART,
  typedChartBinding,
} from '../component-binding.js';
import { ControllerBinding } from '../controller/controller-binding.js';
import type { SluiceNetworkPoliciesBinding } from '../network-policies/sluice-network-policies.js';

/** The `sluice` chart's values bound to typed props (`SluicePlatformProps`). */
export function typedPlatformBinding(props: ReleaseProps): ComponentBinding<SluiceChartValues> {
  return typedChartBinding(props, {
    schema: SluiceChartValuesSchema,
    chart: SLUICE_CHART,
    owner: 'SluicePlatform',
    helperPrefix: 'sluice',
  }).binding;
}

/** The bindings of the platform's parts, each over its key of the `sluice` chart's values. */
export interface PlatformBindings {
  readonly agent: AgentBinding;
  readonly controller: ControllerBinding;
  readonly monitoring: ComponentBinding<MonitoringValues>;
  readonly networkPolicies: SluiceNetworkPoliciesBinding;
}

/**
 * Splits the chart's binding into its parts: the agent dials this release's controller, the controller
 * creates the record key only for agents of this release that name no Secret of their own, and the
 * NetworkPolicies protect each deployable only when it is rendered.
 */
export function platformBindings(chart: ComponentBinding<SluiceChartValues>): PlatformBindings {
  const { values, names, namespace, context } = chart;
  const shared = { names, namespace, context };
  const agent = new ComponentBinding<AgentValues>({
    ...shared,
    values: values.agent as View<AgentValues>,
    enabled: values.agent.enabled.$,
  });
  const controllerAddress = agentControllerAddress(agent, {
    grpcPort: values.controller.ports.grpc.$,
    replicas: values.controller.replicas.$,
  });
  const controller = new ComponentBinding<ControllerValues>({
    ...shared,
    values: values.controller as View<ControllerValues>,
    enabled: values.controller.enabled.$,
  });
  const createsRecordKey = and(values.agent.enabled.$, not(values.agent.recordKey.existingSecret.$));
  return {
    agent: new AgentBinding(agent, controllerAddress),
    controller: new ControllerBinding(controller, createsRecordKey),
    monitoring: new ComponentBinding({ ...shared, values: values.monitoring as View<MonitoringValues> }),
    networkPolicies: {
      ...shared,
      values: values.networkPolicy as View<NetworkPolicyValues>,
      agent: { enabled: values.agent.enabled.$, ports: values.agent.ports },
      controller: {
        enabled: values.controller.enabled.$,
        ports: values.controller.ports,
        apiPort: values.controller.ports.api.$,
      },
    },
  };
}
