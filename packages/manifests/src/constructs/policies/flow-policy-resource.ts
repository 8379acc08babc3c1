import { FLOW_POLICY_CRD, type FlowPolicyInput, parseFlowPolicy, SpecValidationError } from '@sluice/spec';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/** Where FlowPolicies go unless told: the controller watches its own namespace. */
export const DEFAULT_POLICY_NAMESPACE = 'sluice-system';

/**
 * A FlowPolicy custom resource (`sluice.dev/v1alpha1`), validated with the same schema the controller
 * uses, so a policy that synthesises is a policy the controller accepts. The resource keeps the input
 * form (defaults left implicit), which is what a person would write and what GitOps diffs should show.
 *
 * @throws SpecValidationError naming every bad path, value and rule.
 */
export class FlowPolicyResource extends Construct {
  readonly policy: FlowPolicyInput;

  constructor(scope: Construct, id: string, policy: FlowPolicyInput) {
    super(scope, id);
    const result = parseFlowPolicy(policy);
    if (!result.ok) throw new SpecValidationError(`FlowPolicy ${policy.metadata?.name ?? id}`, result.issues);
    this.policy = policy;
    new ApiObject(this, 'Resource', {
      ...policy,
      apiVersion: FLOW_POLICY_CRD.apiVersion,
      kind: FLOW_POLICY_CRD.kind,
    });
  }
}
