import { checkStructural } from './structural-check.js';
import type { StructuralViolation } from './structural-rules.js';
import { convertJunctors, hasJunctor } from './structural-junctor.js';
import {
  dataPath,
  describeDataPath,
  isSchemaNode,
  schemaPointer,
  type SchemaNode,
  type SchemaPath,
} from './schema-path.js';
import { inlineLocalRefs } from './schema-refs.js';

export interface StructuralSchemaOptions {
  /**
   * Values paths of objects whose unknown keys the API server must keep instead of pruning, so that the
   * controller sees them and can report each as Invalid with its exact path. `spec` marks that object
   * only; `spec.**` marks `spec` and every object below it. Array items and map values are `[*]`
   * (`spec.rules[*]`). The known properties stay listed, so `kubectl explain` still works. Every entry
   * must match at least one object.
   * @default []
   */
  readonly preserveUnknownFieldsAt?: readonly string[];
}

/** Thrown when the converted schema still breaks a structural rule; lists every violation. */
export class StructuralSchemaError extends Error {
  constructor(readonly violations: readonly StructuralViolation[]) {
    super(
      `schema is not structural:\n${violations.map((v) => `  - ${v.path} [${v.rule}] ${v.message}`).join('\n')}`,
    );
    this.name = 'StructuralSchemaError';
  }
}

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';
const INT_OR_STRING = 'x-kubernetes-int-or-string';
/** JSON Schema annotations with no place in a CRD schema; dropping them changes no validation. */
const DROPPED = [
  '$schema',
  '$id',
  'id',
  '$comment',
  'readOnly',
  'writeOnly',
  'deprecated',
  'contentEncoding',
  'contentMediaType',
];
/** Keywords that validate but have no structural form; converting silently would loosen the schema. */
const UNCONVERTIBLE = ['if', 'then', 'else', 'contains', 'dependencies', 'patternProperties'];
/** Keywords that only describe a value, so an otherwise empty schema with them accepts anything. */
const ANNOTATIONS = ['description', 'title', 'default', 'example', 'nullable'];

interface PreservePath {
  readonly entry: string;
  readonly base: string;
  readonly subtree: boolean;
}

interface Context {
  readonly preserve: readonly PreservePath[];
  readonly matched: Set<string>;
}

/**
 * Converts a JSON Schema (typically from {@link toJsonSchema}) into a Kubernetes structural schema for a
 * CRD version's `openAPIV3Schema`:
 *
 * - `$ref`s are inlined; `$schema`, `const` (→ `enum`), `examples` (→ `example`) and draft-07 numeric
 *   `exclusiveMinimum`/`exclusiveMaximum` (→ OpenAPI v3.0 booleans) are rewritten;
 * - `null` in a type list or union becomes `nullable: true`; integer-or-string unions become
 *   `x-kubernetes-int-or-string`; other unions declare their fields outside the junctors;
 * - `additionalProperties: false` is dropped (unknown fields are pruned instead); an open object
 *   (`z.looseObject`, `.catchall`) becomes `x-kubernetes-preserve-unknown-fields`; a record keyed by an
 *   enum becomes its properties, other key constraints are dropped (the controller's zod parse checks them);
 * - root `metadata` is reduced to `type: object` plus any `name`/`generateName` rules, and root
 *   `kind`/`apiVersion` lose their defaults, as the API server requires.
 *
 * @throws Error naming the position for a construct with no structural form (a tuple, a union of
 *   unrelated types, `null` alone, `if`/`then`, ...) or a `preserveUnknownFieldsAt` entry that matches no object.
 * @throws StructuralSchemaError when the result still fails {@link checkStructural}.
 */
export function toStructuralSchema(
  jsonSchema: SchemaNode,
  options: StructuralSchemaOptions = {},
): SchemaNode {
  const context: Context = {
    preserve: (options.preserveUnknownFieldsAt ?? []).map((entry) => {
      const subtree = entry.endsWith('.**') || entry === '**';
      const base = subtree ? entry.slice(0, entry === '**' ? 0 : -3) : entry;
      return { entry, base: base === '(root)' ? '' : base, subtree };
    }),
    matched: new Set(),
  };
  const root = convertNode(inlineLocalRefs(jsonSchema), [], context);
  finishRoot(root);
  const unmatched = context.preserve.filter((p) => !context.matched.has(p.entry)).map((p) => p.entry);
  if (unmatched.length > 0) {
    throw new Error(`preserveUnknownFieldsAt entries match no object in the schema: ${unmatched.join(', ')}`);
  }
  const violations = checkStructural(root);
  if (violations.length > 0) throw new StructuralSchemaError(violations);
  return root;
}

function fail(path: SchemaPath, message: string): never {
  throw new Error(
    `${message} at ${schemaPointer(path)} (values path ${describeDataPath(path)}) has no structural form`,
  );
}

function convertNode(input: SchemaNode, path: SchemaPath, context: Context): SchemaNode {
  let node: SchemaNode = { ...input };
  dropAnnotations(node, path);
  // false is the default, and the API server rejects it spelled out.
  if (node[PRESERVE] === false) delete node[PRESERVE];
  liftNull(node, path);
  if (node.const !== undefined) {
    node.enum = [node.const];
    delete node.const;
  }
  convertBound(node, 'exclusiveMinimum', 'minimum', (a, b) => a >= b);
  convertBound(node, 'exclusiveMaximum', 'maximum', (a, b) => a <= b);
  if (hasJunctor(node)) {
    node = convertJunctors(node, path, (child, childPath) => convertNode(child, childPath, context));
  }
  if (node.type === undefined) {
    if (isSchemaNode(node.properties) || node.additionalProperties !== undefined) node.type = 'object';
    else if (node.items !== undefined) node.type = 'array';
  }
  convertObject(node, path, context);
  convertArray(node, path, context);
  if (Object.keys(node).every((keyword) => ANNOTATIONS.includes(keyword))) {
    // An empty schema (z.unknown(), z.any()) accepts any value, which Kubernetes spells this way.
    node[PRESERVE] = true;
  }
  return node;
}

function dropAnnotations(node: SchemaNode, path: SchemaPath): void {
  for (const keyword of Object.keys(node)) {
    if (DROPPED.includes(keyword) || (keyword.startsWith('x-') && !keyword.startsWith('x-kubernetes-')))
      delete node[keyword];
  }
  if (Array.isArray(node.examples)) {
    if (node.example === undefined && node.examples.length > 0) node.example = node.examples[0];
    delete node.examples;
  }
  const unconvertible = UNCONVERTIBLE.find((keyword) => node[keyword] !== undefined);
  if (unconvertible !== undefined) fail(path, `the ${unconvertible} keyword`);
}

/** `type: [T, "null"]`, a `{type: "null"}` union branch and `null` in `enum` become `nullable: true`. */
function liftNull(node: SchemaNode, path: SchemaPath): void {
  let nullable = false;
  if (Array.isArray(node.type)) {
    const types = node.type.filter((type) => type !== 'null');
    nullable = types.length < node.type.length;
    if (types.length === 0) fail(path, 'a null-only type');
    if (types.length === 1) node.type = types[0];
    else if (types.length === 2 && types.includes('integer') && types.includes('string')) {
      delete node.type;
      node[INT_OR_STRING] = true;
      node.anyOf = [{ type: 'integer' }, { type: 'string' }];
    } else fail(path, `the type list ${JSON.stringify(node.type)}`);
  }
  if (node.type === 'null') fail(path, 'type null');
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = node[keyword];
    if (!Array.isArray(branches)) continue;
    const kept = branches.filter(
      (branch) => !(isSchemaNode(branch) && branch.type === 'null' && Object.keys(branch).length === 1),
    );
    if (kept.length === branches.length) continue;
    nullable = true;
    if (kept.length === 0) fail(path, 'a null-only union');
    delete node[keyword];
    const only = kept[0];
    if (kept.length === 1 && isSchemaNode(only)) {
      // `.nullable()` of one schema: fold the schema into the node; the node's own annotations win.
      for (const [key, value] of Object.entries(only)) if (node[key] === undefined) node[key] = value;
      liftNull(node, path);
    } else {
      node[keyword] = kept;
    }
  }
  if (Array.isArray(node.enum) && node.enum.includes(null)) {
    nullable = true;
    node.enum = node.enum.filter((value) => value !== null);
  }
  if (nullable) node.nullable = true;
}

/** Draft-07 numeric `exclusiveMinimum: n` → OpenAPI v3.0 `minimum: n, exclusiveMinimum: true`. */
function convertBound(
  node: SchemaNode,
  exclusive: string,
  inclusive: string,
  stricter: (a: number, b: number) => boolean,
): void {
  const bound = node[exclusive];
  if (typeof bound !== 'number') return;
  const current = node[inclusive];
  if (typeof current === 'number' && !stricter(bound, current)) {
    delete node[exclusive];
    return;
  }
  node[inclusive] = bound;
  node[exclusive] = true;
}

function convertObject(node: SchemaNode, path: SchemaPath, context: Context): void {
  const additional = node.additionalProperties;
  const hasProperties = isSchemaNode(node.properties) && Object.keys(node.properties).length > 0;
  if (additional === false) {
    delete node.additionalProperties;
  } else if (additional === true || (isSchemaNode(additional) && acceptsAnything(additional))) {
    delete node.additionalProperties;
    node[PRESERVE] = true;
  } else if (isSchemaNode(additional) && hasProperties) {
    // Known fields plus a catchall: Kubernetes cannot type the extra keys, so it keeps them as they are.
    delete node.additionalProperties;
    node[PRESERVE] = true;
  } else if (
    isSchemaNode(additional) &&
    isSchemaNode(node.propertyNames) &&
    Array.isArray(node.propertyNames.enum)
  ) {
    // A record keyed by an enum is an object with exactly those (optional or required) properties.
    node.properties = Object.fromEntries(
      node.propertyNames.enum.map((key) => [String(key), structuredClone(additional)]),
    );
    delete node.additionalProperties;
  }
  delete node.propertyNames;
  if (isSchemaNode(node.properties)) {
    const properties: SchemaNode = {};
    for (const [key, child] of Object.entries(node.properties)) {
      if (isSchemaNode(child)) properties[key] = convertNode(child, [...path, 'properties', key], context);
    }
    if (Object.keys(properties).length > 0) node.properties = properties;
    else delete node.properties;
  }
  if (isSchemaNode(node.additionalProperties)) {
    node.additionalProperties = convertNode(
      node.additionalProperties,
      [...path, 'additionalProperties'],
      context,
    );
  }
  if (node.type === 'object') {
    const values = dataPath(path);
    for (const preserve of context.preserve) {
      const below =
        values.startsWith(`${preserve.base}.`) ||
        values.startsWith(`${preserve.base}[`) ||
        (preserve.base === '' && values !== '');
      if (values === preserve.base || (preserve.subtree && below)) {
        context.matched.add(preserve.entry);
        // A map keeps every key already; only objects with known fields prune.
        if (node.additionalProperties === undefined) node[PRESERVE] = true;
      }
    }
  }
}

function acceptsAnything(schema: SchemaNode): boolean {
  return Object.keys(schema).every(
    (keyword) => ANNOTATIONS.includes(keyword) || keyword === 'examples' || keyword === '$comment',
  );
}

function convertArray(node: SchemaNode, path: SchemaPath, context: Context): void {
  if (Array.isArray(node.items)) fail(path, 'a tuple');
  delete node.additionalItems;
  if (isSchemaNode(node.items)) node.items = convertNode(node.items, [...path, 'items'], context);
  // JSON Schema's "any items" is Kubernetes' items that keep whatever they hold.
  else if (node.type === 'array' && node.items === undefined) node.items = { [PRESERVE]: true };
  if (node.uniqueItems === true) {
    // Kubernetes forbids uniqueItems (quadratic); a set-typed list of scalars means the same.
    const items = isSchemaNode(node.items) ? node.items.type : undefined;
    if (items === 'object' || items === 'array' || items === undefined)
      fail(path, 'uniqueItems on non-scalar items');
    delete node.uniqueItems;
    node['x-kubernetes-list-type'] = 'set';
  } else if (node.uniqueItems === false) {
    delete node.uniqueItems;
  }
}

/** Applies the API server's rules for the resource root and its `metadata`, `kind` and `apiVersion`. */
function finishRoot(root: SchemaNode): void {
  delete root.default;
  delete root.nullable;
  if (!isSchemaNode(root.properties)) return;
  for (const key of ['kind', 'apiVersion']) {
    const field = root.properties[key];
    if (isSchemaNode(field)) delete field.default;
  }
  const metadata = root.properties.metadata;
  if (!isSchemaNode(metadata)) return;
  // The API server validates ObjectMeta itself and only lets a CRD restrict name and generateName.
  const restricted: SchemaNode = { type: 'object' };
  const known = isSchemaNode(metadata.properties) ? metadata.properties : {};
  const kept: SchemaNode = {};
  for (const key of ['name', 'generateName']) {
    const field = known[key];
    if (!isSchemaNode(field)) continue;
    const { default: _dropped, ...rest } = field;
    kept[key] = rest;
  }
  if (Object.keys(kept).length > 0) restricted.properties = kept;
  root.properties.metadata = restricted;
}
