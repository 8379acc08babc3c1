import type { LabelMatcher } from '@sluice/spec';

/**
 * True when `labels` satisfy every requirement of `matcher` (Kubernetes label-selector semantics:
 * NotIn and DoesNotExist hold for an absent label). An absent or empty matcher matches everything.
 */
export function matchesLabels(
  matcher: LabelMatcher | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (matcher === undefined) return true;
  for (const [key, expected] of Object.entries(matcher.matchLabels ?? {})) {
    if (labels[key] !== expected) return false;
  }
  for (const expression of matcher.matchExpressions ?? []) {
    const value = labels[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
    }
  }
  return true;
}
