import { CompiledComponentSchema, parseWith, formatIssue, type syncV1 } from '@sluice/spec';
import type { PolicyComponents } from '../components/component-registry.js';
import type { PreviewSpec } from '../preview/preview-registry.js';

/** A policy whose components could not be parsed; its previous version stays active. */
export interface RejectedPolicy {
  readonly policyName: string;
  readonly error: string;
}

/**
 * Parses the controller's Components message at the boundary: every component's JSON must match
 * the compiled schema and agree with its envelope (kind, ids). One bad component rejects its whole
 * policy, since a policy runs as a unit.
 */
export function parseComponents(message: syncV1.Components): {
  policies: PolicyComponents[];
  rejected: RejectedPolicy[];
} {
  const policies: PolicyComponents[] = [];
  const rejected: RejectedPolicy[] = [];
  for (const policy of message.policies ?? []) {
    const policyName = policy.policy_name ?? '';
    const policyHash = policy.policy_hash ?? '';
    const problems: string[] = [];
    const components = [];
    for (const [index, component] of (policy.components ?? []).entries()) {
      const where = `policy ${policyName} component ${component.component_id ?? `#${index}`}`;
      let json: unknown;
      try {
        json = JSON.parse(component.json ?? '');
      } catch {
        problems.push(`${where}: json is not valid JSON`);
        continue;
      }
      const parsed = parseWith(CompiledComponentSchema, json);
      if (!parsed.ok) {
        problems.push(...parsed.issues.map((issue) => `${where}: ${formatIssue(issue)}`));
        continue;
      }
      const value = parsed.value;
      if (
        value.kind !== component.kind ||
        value.policyName !== policyName ||
        value.policyHash !== policyHash ||
        value.componentId !== component.component_id
      ) {
        problems.push(
          `${where}: envelope (kind ${component.kind}, hash ${policyHash}) does not match the component body (kind ${value.kind}, policy ${value.policyName}, hash ${value.policyHash}, id ${value.componentId})`,
        );
        continue;
      }
      components.push(value);
    }
    if (policyName === '') problems.push('a policy has no policy_name');
    if (problems.length > 0) rejected.push({ policyName, error: problems.join('; ') });
    else policies.push({ policyName, policyHash, components });
  }
  return { policies, rejected };
}

export function previewSpec(request: syncV1.PreviewRequest): PreviewSpec {
  return {
    requestId: request.request_id ?? '',
    controlPoint: request.control_point ?? '',
    service: request.service ?? '',
    matchLabels: request.match_labels ?? {},
    samples: request.samples ?? 0,
    timeoutMs: request.timeout_ms ?? 0,
    kind: request.kind === 'PREVIEW_KIND_HTTP_REQUEST' ? 'http-request' : 'flow-labels',
  };
}
