import type { CompiledComponent, LabelMatcher } from '@sluice/spec';

function matcherKeys(matcher: LabelMatcher | undefined, into: Set<string>): void {
  if (matcher === undefined) return;
  for (const key of Object.keys(matcher.matchLabels ?? {})) into.add(key);
  for (const expression of matcher.matchExpressions ?? []) into.add(expression.key);
}

/**
 * Every flow label key a compiled component reads: its selectors' label matchers, a load
 * scheduler's workload matchers, and the limit-by, tokens and fairness label keys. A label no
 * running component reads cannot change a decision, so the Check path may skip deriving it.
 */
export function labelKeysRead(component: CompiledComponent): Set<string> {
  const keys = new Set<string>();
  for (const selector of component.selectors)
    matcherKeys(selector.labelMatcher as LabelMatcher | undefined, keys);
  switch (component.kind) {
    case 'classifier':
    case 'flux-meter':
      break;
    case 'rate-limiter':
      if (component.limitByLabelKey !== undefined) keys.add(component.limitByLabelKey);
      if (component.tokensLabelKey !== undefined) keys.add(component.tokensLabelKey);
      break;
    case 'load-scheduler':
      for (const workload of [...component.workloads, component.defaultWorkload])
        matcherKeys(workload.labelMatcher as LabelMatcher, keys);
      if (component.fairnessLabelKey !== undefined) keys.add(component.fairnessLabelKey);
      if (component.tokensLabelKey !== undefined) keys.add(component.tokensLabelKey);
      break;
  }
  return keys;
}
