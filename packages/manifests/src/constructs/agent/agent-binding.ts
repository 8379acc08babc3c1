import { AgentValuesSchema, type AgentValues } from '@sluice/spec';
import { concat, defaultTo, type Expr, greaterThan, literal, ternary } from '../../template/expr.js';
import {
  ComponentBinding,
  type ComponentBindingOptions,
  type ReleaseProps,
  typedComponentBinding,
} from '../component-binding.js';
import { CONTROLLER_PEERS_COMPONENT } from '../controller/controller-binding.js';

/** The controller's default AgentSync port, used when a typed agent is synthesised without its controller. */
const DEFAULT_CONTROLLER_GRPC_PORT = 8090;

/** A bound agent: values read through a view, plus the controller address its chart derives. */
export class AgentBinding extends ComponentBinding<AgentValues> {
  constructor(
    base: ComponentBindingOptions<AgentValues>,
    /** The controller's AgentSync address (`HOST:PORT` or `dns:///HOST:PORT`), already defaulted. */
    readonly controllerAddress: Expr<string>,
  ) {
    super(base);
  }
}

/** What the agent's controller address derives from: the release's controller. */
export interface AgentControllerOptions {
  /** The controller's AgentSync port. */
  readonly grpcPort: Expr<number>;
  /** The controller's replica count; with more than one, agents dial every replica. @default one */
  readonly replicas?: Expr<number>;
}

/**
 * The values' `controllerAddress`, or else this release's controller: with one replica its Service,
 * `<controller fullname>.<namespace>.svc:<port>`; with several the headless Service over every Ready
 * replica, `dns:///<controller fullname>-peers.<namespace>.svc:<port>`, over which the agent balances its
 * Connects until the leader accepts one.
 */
export function agentControllerAddress(
  binding: ComponentBinding<AgentValues>,
  controller: AgentControllerOptions,
): Expr<string> {
  const at = (component: string) =>
    concat(binding.names.component(component), '.', binding.namespace, '.svc:', controller.grpcPort);
  const service = at('controller');
  const derived =
    controller.replicas === undefined
      ? service
      : ternary(
          greaterThan(controller.replicas, 1),
          concat('dns:///', at(CONTROLLER_PEERS_COMPONENT)),
          service,
        );
  return defaultTo(binding.values.controllerAddress.$, derived);
}

/** The agent bound to typed props; alone, it dials the release's controller Service on the default port. */
export function typedAgentBinding(props: ReleaseProps): AgentBinding {
  const base = typedComponentBinding(props, { schema: AgentValuesSchema, owner: 'SluiceAgent' });
  return new AgentBinding(
    base,
    agentControllerAddress(base, { grpcPort: literal(DEFAULT_CONTROLLER_GRPC_PORT) }),
  );
}
