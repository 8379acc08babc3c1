import type { SluiceChartValues, SluiceChartValuesInput } from '@sluice/spec';
import { Construct } from 'constructs';
import { SluiceAgent } from '../agent/sluice-agent.js';
import { chartValuesBinding, ComponentBinding, type ReleaseProps } from '../component-binding.js';
import { SluiceController } from '../controller/sluice-controller.js';
import { SluiceMonitoring } from '../monitoring/sluice-monitoring.js';
import { SluiceNetworkPolicies } from '../network-policies/sluice-network-policies.js';
import { platformBindings, typedPlatformBinding } from './platform-bindings.js';

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
    return new SluicePlatform(scope, id, chartValuesBinding<SluiceChartValues>('sluice'));
  }

  constructor(
    scope: Construct,
    id: string,
    props: SluicePlatformProps | ComponentBinding<SluiceChartValues> = {},
  ) {
    super(scope, id);
    const parts = platformBindings(props instanceof ComponentBinding ? props : typedPlatformBinding(props));
    this.agent = new SluiceAgent(this, 'Agent', parts.agent);
    this.controller = new SluiceController(this, 'Controller', parts.controller);
    this.monitoring = new SluiceMonitoring(this, 'Monitoring', parts.monitoring);
    this.networkPolicies = new SluiceNetworkPolicies(this, 'NetworkPolicies', parts.networkPolicies);
  }
}
