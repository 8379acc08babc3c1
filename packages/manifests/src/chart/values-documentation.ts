import { stringify as stringifyYaml } from 'yaml';
import type { z } from 'zod';

/**
 * `values.yaml` and the README values table, both derived from the chart's zod values schema so that the
 * defaults, the comments and the docs can never drift from what the schema accepts.
 */

/** One key of a values schema, unwrapped from its optional/default wrappers. */
export interface ValuesKey {
  /** Dotted path, e.g. `agent.image.tag`. */
  readonly path: string;
  readonly key: string;
  readonly depth: number;
  readonly description: string;
  /** `string`, `integer`, `boolean`, `object`, `list`, or the allowed words of an enum joined with `|`. */
  readonly type: string;
  /** Whether the key has a default (a zod default or prefault); otherwise it is unset unless given. */
  readonly hasDefault: boolean;
  /** Nested keys of an object; empty for leaves. */
  readonly children: readonly ValuesKey[];
}

type AnySchema = z.ZodType;

interface Unwrapped {
  readonly inner: AnySchema;
  readonly description?: string;
  readonly hasDefault: boolean;
}

function definition(schema: AnySchema): {
  type: string;
  innerType?: AnySchema;
  shape?: Record<string, AnySchema>;
  entries?: Record<string, string>;
} {
  return (schema as unknown as { _zod: { def: ReturnType<typeof definition> } })._zod.def;
}

/** Strips optional/default/prefault/nullable wrappers, keeping the outermost description. */
function unwrap(schema: AnySchema): Unwrapped {
  let current = schema;
  let description = current.description;
  let hasDefault = false;
  for (;;) {
    const def = definition(current);
    if (def.type === 'default' || def.type === 'prefault') hasDefault = true;
    if (!['optional', 'default', 'prefault', 'nullable'].includes(def.type) || def.innerType === undefined)
      break;
    current = def.innerType;
    description ??= current.description;
  }
  return { inner: current, description, hasDefault };
}

function typeName(schema: AnySchema): string {
  const def = definition(schema);
  switch (def.type) {
    case 'number':
      return (schema as z.ZodNumber).isInt ? 'integer' : 'number';
    case 'enum':
      return Object.values(def.entries ?? {}).join(' | ');
    case 'array':
      return 'list';
    case 'record':
      return 'map';
    default:
      return def.type;
  }
}

/** The keys of an object schema, in declaration order. */
export function valuesKeys(schema: AnySchema, prefix = '', depth = 0): ValuesKey[] {
  const { inner } = unwrap(schema);
  const shape = definition(inner).shape;
  if (shape === undefined) return [];
  return Object.entries(shape).map(([key, child]) => {
    const unwrapped = unwrap(child);
    const path = prefix ? `${prefix}.${key}` : key;
    const isObject = definition(unwrapped.inner).type === 'object';
    if (unwrapped.description === undefined)
      throw new Error(`values key ${path} has no description (.describe())`);
    return {
      path,
      key,
      depth,
      description: unwrapped.description,
      type: typeName(unwrapped.inner),
      hasDefault: unwrapped.hasDefault,
      children: isObject ? valuesKeys(unwrapped.inner, path, depth + 1) : [],
    };
  });
}

function commentLines(text: string, indent: string): string[] {
  return text.split('\n').map((line) => `${indent}# ${line}`);
}

function renderKeys(keys: readonly ValuesKey[], defaults: Record<string, unknown>, indent: string): string[] {
  const lines: string[] = [];
  for (const key of keys) {
    lines.push(...commentLines(key.description, indent));
    const value = defaults[key.key];
    if (value === undefined) {
      // Unset keys are listed, commented out, so every value is documented in one place.
      lines.push(`${indent}# ${key.key}:`);
    } else if (key.children.length > 0) {
      lines.push(
        `${indent}${key.key}:`,
        ...renderKeys(key.children, value as Record<string, unknown>, `${indent}  `),
      );
    } else {
      // go-yaml reads values.yaml with YAML 1.1 rules (`on` is a boolean there), so quote by those rules.
      const text = stringifyYaml({ [key.key]: value }, { version: '1.1', lineWidth: 0 }).trimEnd();
      lines.push(...text.split('\n').map((line) => `${indent}${line}`));
    }
  }
  return lines;
}

/** `values.yaml`: every key with its description as a comment and its default as the value. */
export function renderValuesYaml(schema: AnySchema, header: string): string {
  const defaults = schema.parse({}) as Record<string, unknown>;
  return [...commentLines(header, ''), '', ...renderKeys(valuesKeys(schema), defaults, '')].join('\n') + '\n';
}

function flatten(keys: readonly ValuesKey[]): ValuesKey[] {
  return keys.flatMap((key) => (key.children.length > 0 ? [key, ...flatten(key.children)] : [key]));
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The README values table: key, type, default and description of every key. */
export function renderValuesTable(schema: AnySchema): string {
  const defaults = schema.parse({}) as unknown;
  const lookup = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (current, segment) =>
          current !== null && typeof current === 'object'
            ? (current as Record<string, unknown>)[segment]
            : undefined,
        defaults,
      );
  const rows = flatten(valuesKeys(schema))
    .filter((key) => key.children.length === 0)
    .map((key) => {
      const value = lookup(key.path);
      const shown = value === undefined ? '(unset)' : `\`${JSON.stringify(value)}\``;
      return `| \`${key.path}\` | ${cell(key.type)} | ${cell(shown)} | ${cell(key.description)} |`;
    });
  return ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
