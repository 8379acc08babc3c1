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
import { and, type EvalContext, type Expr, literal, not, releaseNamespace } from '../../template/expr.js';
import { HelmNames } from '../../template/helm-names.js';
import { AgentBinding, agentControllerAddress, SluiceAgent } from '../agent/sluice-agent.js';
import { ControllerBinding, SluiceController } from '../controller/sluice-controller.js';
import { SluiceMonitoring } from '../monitoring/sluice-monitoring.js';
import { SluiceNetworkPolicies } from '../network-policies/sluice-network-policies.js';
import {
  type AgentValues,
  type ControllerValues,
  type MonitoringValues,
  type NetworkPolicyValues,
  type SluiceChartValues,
  SluiceChartValuesSchema,
  type SluiceChartValuesInput,
} from '@sluice/spec';
import { literalView, valuesView, type View } from '../../template/values-view.js';

/** Props of a typed `SluicePlatform`: exactly the `sluice` chart's values, plus release and namespace. */
export interface SluicePlatformProps
  extends Readonly<Omit<SluiceChartValuesInput, 'nameOverride' | 'fullnameOverride'>>, ReleaseProps {}

/**
 * Everything the `sluice` chart installs: the agent and the controller, each switchable with `enabled`,
 * plus the optional monitoring objects and NetworkPolicies.
 * Built from typed props it synthesises with cdk8s; built by `SluicePlatform.forChart` it is the chart.
 * The equality tests build it both ways from the same values.
 */
export class SluicePlatform extends Construct {
  readonly agent: SluiceAgent;
  readonly controller: SluiceController;
  readonly monitoring: SluiceMonitoring;
  readonly networkPolicies: SluiceNetworkPolicies;

  /** The platform over `.Values`, for the chart generator. */
  static forChart(scope: Construct, id: string): SluicePlatform {
    return new SluicePlatform(scope, id, {
      view: valuesView<SluiceChartValues>(),
      namespace: releaseNamespace,
    });
  }

  constructor(
    scope: Construct,
    id: string,
    props: SluicePlatformProps | { view: View<SluiceChartValues>; namespace: Expr<string> } = {},
  ) {
    super(scope, id);
    let view: View<SluiceChartValues>;
    let namespace: Expr<string>;
    let names: HelmNames;
    let context: EvalContext | undefined;
    if ('view' in props) {
      ({ view, namespace } = props);
      names = new HelmNames(view, 'sluice');
    } else {
      const { release, rest } = splitReleaseProps(props);
      context = releaseContext(release, SLUICE_CHART, 'SluicePlatform');
      const values = parseProps(
        SluiceChartValuesSchema,
        { ...rest, nameOverride: release.nameOverride, fullnameOverride: release.fullnameOverride },
        'SluicePlatform',
      );
      view = literalView(values);
      namespace = literal(context.release.namespace);
      names = literalNames(release, 'sluice');
    }
    const agentBase = new ComponentBinding<AgentValues>(
      view.agent as View<AgentValues>,
      names,
      namespace,
      view.agent.enabled.$,
      context,
    );
    const agentBinding = new AgentBinding(
      agentBase,
      agentControllerAddress(agentBase, {
        grpcPort: view.controller.ports.grpc.$,
        replicas: view.controller.replicas.$,
      }),
    );
    this.agent = new SluiceAgent(this, 'Agent', agentBinding);
    const controllerBinding = new ControllerBinding(
      new ComponentBinding<ControllerValues>(
        view.controller as View<ControllerValues>,
        names,
        namespace,
        view.controller.enabled.$,
        context,
      ),
      // The controller creates the record key only for agents of this release that name no Secret of their own.
      and(view.agent.enabled.$, not(view.agent.recordKey.existingSecret.$)),
    );
    this.controller = new SluiceController(this, 'Controller', controllerBinding);
    this.monitoring = new SluiceMonitoring(this, 'Monitoring', {
      view: view.monitoring as View<MonitoringValues>,
      names,
      namespace,
      context,
    });
    this.networkPolicies = new SluiceNetworkPolicies(this, 'NetworkPolicies', {
      view: view.networkPolicy as View<NetworkPolicyValues>,
      names,
      namespace,
      context,
      agent: { enabled: view.agent.enabled.$, ports: view.agent.ports },
      controller: {
        enabled: view.controller.enabled.$,
        ports: view.controller.ports,
        apiPort: view.controller.ports.api.$,
      },
    });
  }
}
