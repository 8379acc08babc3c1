import { ControllerValuesSchema, type ControllerValues } from '@sluice/spec';
import { concat, type Expr, greaterThan, literal, not, or } from '../../template/expr.js';
import {
  ComponentBinding,
  type ComponentBindingOptions,
  type ComponentNames,
  type ReleaseProps,
  typedComponentBinding,
} from '../component-binding.js';

export const CONTROLLER_COMPONENT = 'controller';
/**
 * The name suffix of the headless Service over every controller replica (`<fullname>-controller-peers`),
 * rendered with more than one replica; agents dial it as `dns:///…` to find the leader.
 */
export const CONTROLLER_PEERS_COMPONENT = 'controller-peers';
/** The name suffix of the Secret the controller creates for the API token (`<fullname>-controller-api-token`). */
export const API_TOKEN_SECRET_COMPONENT = 'controller-api-token';
/** The name suffix of the record-key Secret agents mount (`<fullname>-record-key`), created by the controller. */
export const RECORD_KEY_SECRET_COMPONENT = 'record-key';

/** A bound controller: values through a view, plus whether it creates the record-key Secret the agents mount. */
export class ControllerBinding extends ComponentBinding<ControllerValues> {
  constructor(
    base: ComponentBindingOptions<ControllerValues>,
    /** Truthy when the agents mount the runtime record-key Secret (no Secret of the user's is named). */
    readonly createsRecordKey: Expr<unknown>,
  ) {
    super(base);
  }
}

/** The controller bound to typed props. */
export function typedControllerBinding(props: ReleaseProps): ControllerBinding {
  const base = typedComponentBinding(props, { schema: ControllerValuesSchema, owner: 'SluiceController' });
  // Alone, the controller cannot know the agents' values: it creates the record key they mount by default.
  return new ControllerBinding(base, literal(true));
}

/** What every controller object is built from: the binding, the names, and what the values decide. */
export interface ControllerParts extends ComponentNames {
  readonly binding: ControllerBinding;
  /** `<fullname>-controller-peers`, the headless Service agents dial with several replicas. */
  readonly peersName: Expr<string>;
  /** `<namespace>-<fullname>-controller`: cluster-scoped, so two releases of one name in two namespaces never share it. */
  readonly clusterName: Expr<string>;
  /**
   * Several replicas would each steer the agents: they elect a leader, and the Lease is named after the
   * controller (one per release, so two releases never share a leader).
   */
  readonly leaderElection: Expr<boolean>;
  /** The controller creates the API token Secret (the user named none). */
  readonly createsApiToken: Expr<boolean>;
  /** The controller creates a runtime Secret: the API token or the agents' record key. */
  readonly createsSecret: Expr<unknown>;
}

export function controllerParts(binding: ControllerBinding): ControllerParts {
  const names = binding.component(CONTROLLER_COMPONENT);
  const createsApiToken = not(binding.values.apiToken.existingSecret.$);
  return {
    ...names,
    binding,
    peersName: binding.names.component(CONTROLLER_PEERS_COMPONENT),
    clusterName: concat(binding.namespace, '-', names.name),
    leaderElection: greaterThan(binding.values.replicas.$, 1),
    createsApiToken,
    createsSecret: or(createsApiToken, binding.createsRecordKey),
  };
}
