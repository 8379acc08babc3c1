import type { ControllerValuesInput } from '@sluice/spec';
import { Construct } from 'constructs';
import type { Expr } from '../../template/expr.js';
import type { ReleaseProps } from '../component-binding.js';
import { addSluiceObjects, type SluiceObject } from '../sluice-object.js';
import { ControllerBinding, controllerParts, typedControllerBinding } from './controller-binding.js';
import { controllerConfigMap } from './controller-config.js';
import {
  controllerClusterRole,
  controllerClusterRoleBinding,
  controllerRole,
  controllerRoleBinding,
  controllerServiceAccount,
} from './controller-rbac.js';
import { controllerPeersService, controllerService } from './controller-services.js';
import { controllerDeployment, controllerDisruptionBudget } from './controller-workload.js';

const SOURCE = 'packages/manifests/src/constructs/controller/sluice-controller.ts';

/** Props of a typed `SluiceController`: the chart's `controller` values plus release and namespace. */
export interface SluiceControllerProps extends Readonly<ControllerValuesInput>, ReleaseProps {}

/**
 * The Sluice controller: one replica by default, or several that elect a leader through a Lease, so two
 * controllers never push conflicting decisions; replaced with Recreate; a Service agents and sluicectl
 * reach (gRPC, probes and metrics, and the API on a port of its own); with several replicas also a
 * headless Service over all of them (agents try each Ready replica until the leader accepts them; every
 * healthy replica is Ready); a Role limited to FlowPolicy resources, the runtime Secrets it creates
 * (the API token and the agents' record key) and (with leader election) its own Lease in its namespace;
 * a ClusterRole for TokenReview only (agents authenticate with their projected service-account token);
 * and a PodDisruptionBudget that never blocks a node drain.
 */
export class SluiceController extends Construct {
  readonly objects: readonly SluiceObject[];
  /** `<fullname>-controller`: the Service agents dial with one replica, and sluicectl. */
  readonly name: Expr<string>;
  /** `<fullname>-controller-peers`: the headless Service agents dial with several replicas. */
  readonly peersName: Expr<string>;

  constructor(scope: Construct, id: string, props: SluiceControllerProps | ControllerBinding = {}) {
    super(scope, id);
    const binding = props instanceof ControllerBinding ? props : typedControllerBinding(props);
    const parts = controllerParts(binding);
    this.name = parts.name;
    this.peersName = parts.peersName;
    const { enabled } = binding;
    this.objects = addSluiceObjects(this, {
      source: SOURCE,
      when: enabled,
      context: binding.context,
      objects: [
        {
          id: 'ServiceAccount',
          file: 'controller-serviceaccount.yaml',
          tree: controllerServiceAccount(parts),
        },
        { id: 'Role', file: 'controller-role.yaml', tree: controllerRole(parts) },
        { id: 'RoleBinding', file: 'controller-rolebinding.yaml', tree: controllerRoleBinding(parts) },
        { id: 'ClusterRole', file: 'controller-clusterrole.yaml', tree: controllerClusterRole(parts) },
        {
          id: 'ClusterRoleBinding',
          file: 'controller-clusterrolebinding.yaml',
          tree: controllerClusterRoleBinding(parts),
        },
        { id: 'ConfigMap', file: 'controller-configmap.yaml', tree: controllerConfigMap(parts) },
        { id: 'Service', file: 'controller-service.yaml', tree: controllerService(parts) },
        {
          id: 'PeersService',
          // Only with several replicas (leader election).
          when: parts.leaderElection,
          file: 'controller-peers-service.yaml',
          tree: controllerPeersService(parts),
        },
        { id: 'Deployment', file: 'controller-deployment.yaml', tree: controllerDeployment(parts) },
        {
          id: 'PodDisruptionBudget',
          file: 'controller-poddisruptionbudget.yaml',
          tree: controllerDisruptionBudget(parts),
        },
      ],
    });
  }
}
