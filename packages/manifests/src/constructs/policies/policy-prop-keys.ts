import { didYouMean, formatPath, SpecValidationError, type SpecIssue } from '@sluice/spec';

/**
 * The keys a plain-TypeScript props interface declares, as a value the constructs check at run time.
 * `-?` makes the list exhaustive and object-literal checks refuse extras, so the compiler keeps it equal
 * to the interface. A key maps to `true` when its value is a scalar, an open map (labels), or is checked
 * downstream by a zod schema (the FlowPolicy parse); to `{ fields }` or `{ each }` to check inside it.
 */
export type PropKeys<P> = { readonly [K in keyof P]-?: PropRule<NonNullable<P[K]>> };

type PropRule<T> =
  | true
  | (T extends readonly (infer E)[] ? { readonly each: PropKeys<E> } : never)
  | (T extends object ? { readonly fields: PropKeys<T> } : never);

type AnyRule = true | { readonly each: AnyKeys } | { readonly fields: AnyKeys };
type AnyKeys = Readonly<Record<string, AnyRule>>;

/** Refuses keys the props interface does not declare, at any depth described, naming each with a guess. */
export function checkPropKeys<P>(owner: string, props: P, keys: PropKeys<P>): void {
  const issues = unknownKeys(props, keys as unknown as AnyKeys, []);
  if (issues.length > 0) throw new SpecValidationError(owner, issues);
}

function unknownKeys(value: unknown, keys: AnyKeys, path: readonly PropertyKey[]): SpecIssue[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const known = Object.keys(keys);
  const issues: SpecIssue[] = [];
  for (const [key, child] of Object.entries(value)) {
    const rule = keys[key];
    const at = [...path, key];
    if (rule === undefined) {
      issues.push({
        path: formatPath(at),
        value: JSON.stringify(child) ?? String(child),
        allowed: `unknown field${didYouMean(key, known)}`,
      });
    } else if (rule !== true && 'fields' in rule) {
      issues.push(...unknownKeys(child, rule.fields, at));
    } else if (rule !== true && Array.isArray(child)) {
      child.forEach((item: unknown, index) => issues.push(...unknownKeys(item, rule.each, [...at, index])));
    }
  }
  return issues;
}
