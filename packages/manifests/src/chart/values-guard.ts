import type { z } from 'zod';

/**
 * Helm deletes a key whose value is null before it checks values.schema.json (that is how `--set
 * key=null` removes a default), so the schema never sees the null and the templates render as if the
 * key had never been there: `keepOnUninstall: null` would silently drop the CRDs' keep policy. Every
 * key with a default is always present otherwise (values.yaml holds it), so a missing one can only be
 * a null; this template refuses it by path, as the zod schema refuses the null in typed authoring.
 *
 * Parents are checked before their children, and `fail` stops rendering at the first, so each
 * `hasKey` runs on a map that exists.
 */
export function renderValuesGuard(schema: z.ZodType, header: string): string {
  const defaults = schema.parse({}) as unknown;
  const lines = [`{{- /* ${header} */ -}}`];
  for (const path of defaultedPaths(defaults, [])) {
    const parent = ['.Values', ...path.slice(0, -1)].join('.');
    const key = path.at(-1) ?? '';
    const dotted = path.join('.');
    const message =
      `values: ${dotted} is null or missing; it must be set (its default is in values.yaml). ` +
      'Helm deletes keys set to null, so null cannot stand for "none" here.';
    lines.push(
      `{{- if not (hasKey ${parent} ${JSON.stringify(key)}) }}{{ fail ${JSON.stringify(message)} }}{{- end }}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Paths of every key that has a default, parents before children; only plain identifiers nest. */
function defaultedPaths(value: unknown, prefix: readonly string[]): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const paths: string[][] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (child === undefined) continue;
    // Go template field access needs identifiers; values keys are camelCase identifiers.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    const path = [...prefix, key];
    paths.push(path);
    if (isPlainObjectWithIdentifierKeys(child)) paths.push(...defaultedPaths(child, path));
  }
  return paths;
}

/** Objects whose keys are fields of the schema (not user maps such as labels, which may be empty). */
function isPlainObjectWithIdentifierKeys(value: unknown): boolean {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0
  );
}
