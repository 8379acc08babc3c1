import type { CompiledPolicy, ControllerMessage, syncV1 } from '@sluice/spec';
import type { LoadDecision } from '../control/loop-status.js';

/** The policies an agent of `agentGroup` must run, each with only the components for that group. */
export function componentsMessage(
  policies: readonly CompiledPolicy[],
  agentGroup: string,
): ControllerMessage {
  const selected: syncV1.PolicyComponents[] = [];
  for (const policy of policies) {
    const components = policy.components.filter((component) =>
      component.selectors.some((selector) => selector.agentGroup === agentGroup),
    );
    if (components.length === 0) continue;
    selected.push({
      policy_name: policy.policyName,
      policy_hash: policy.policyHash,
      components: components.map((component) => ({
        component_id: component.componentId,
        kind: component.kind,
        json: JSON.stringify(component),
      })),
    });
  }
  return { payload: 'components', components: { policies: selected } };
}

/** Decisions for the load schedulers of the given policies (the ones an agent runs). */
export function decisionsMessage(
  decisions: readonly LoadDecision[],
  policyNames: ReadonlySet<string>,
): ControllerMessage | undefined {
  const selected = decisions.filter((decision) => policyNames.has(decision.policyName));
  if (selected.length === 0) return undefined;
  return {
    payload: 'decisions',
    decisions: {
      decisions: selected.map((decision) => ({
        policy_name: decision.policyName,
        policy_hash: decision.policyHash,
        component_id: decision.componentId,
        load_multiplier: decision.loadMultiplier,
        pass_through: decision.passThrough,
        ttl_ms: decision.ttlMs,
      })),
    },
  };
}

/** Names of the policies `componentsMessage` would send to an agent of `agentGroup`. */
export function policyNamesForGroup(policies: readonly CompiledPolicy[], agentGroup: string): Set<string> {
  return new Set(
    policies.filter((policy) => policy.agentGroups.includes(agentGroup)).map((policy) => policy.policyName),
  );
}
