/**
 * Plain-data view of JSON Schema documents shared by the exporters: node type, child traversal and
 * the two ways a position is named in errors (a JSON Pointer into the schema, and the values path a
 * user would write, such as `spec.rules[*].name`).
 */

/** A JSON Schema (or OpenAPI schema) node as plain JSON data. */
export type SchemaNode = { [keyword: string]: unknown };

/** Keywords from the root to a node, e.g. `['properties', 'spec', 'items']`. */
export type SchemaPath = readonly string[];

/** A subschema of a node and the keywords that lead to it from the node. */
export interface ChildSchema {
  readonly segments: readonly string[];
  readonly schema: SchemaNode;
}

const SINGLE_SCHEMA_KEYWORDS = [
  'items',
  'additionalItems',
  'additionalProperties',
  'propertyNames',
  'contains',
  'not',
  'if',
  'then',
  'else',
] as const;
const SCHEMA_ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'items'] as const;
const SCHEMA_MAP_KEYWORDS = [
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
  'dependencies',
] as const;

export function isSchemaNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every direct subschema of `node` in a stable order (keyword order above, then key order). */
export function childSchemas(node: SchemaNode): ChildSchema[] {
  const children: ChildSchema[] = [];
  for (const keyword of SINGLE_SCHEMA_KEYWORDS) {
    const value = node[keyword];
    if (isSchemaNode(value)) children.push({ segments: [keyword], schema: value });
  }
  for (const keyword of SCHEMA_ARRAY_KEYWORDS) {
    const value = node[keyword];
    if (!Array.isArray(value)) continue;
    value.forEach((item, index) => {
      if (isSchemaNode(item)) children.push({ segments: [keyword, String(index)], schema: item });
    });
  }
  for (const keyword of SCHEMA_MAP_KEYWORDS) {
    const value = node[keyword];
    if (!isSchemaNode(value)) continue;
    for (const [key, item] of Object.entries(value)) {
      if (isSchemaNode(item)) children.push({ segments: [keyword, key], schema: item });
    }
  }
  return children;
}

/** Replaces the subschema that `segments` (from {@link childSchemas}) lead to. */
export function setChildSchema(node: SchemaNode, segments: readonly string[], schema: SchemaNode): void {
  const [keyword, key] = segments;
  if (keyword === undefined) return;
  if (key === undefined) {
    node[keyword] = schema;
    return;
  }
  const container = node[keyword];
  if (Array.isArray(container)) container[Number(key)] = schema;
  else if (isSchemaNode(container)) container[key] = schema;
}

/** Calls `visit` for `node` and every subschema below it, parents first. */
export function walkSchema(
  node: SchemaNode,
  visit: (node: SchemaNode, path: SchemaPath) => void,
  path: SchemaPath = [],
): void {
  visit(node, path);
  for (const child of childSchemas(node)) walkSchema(child.schema, visit, [...path, ...child.segments]);
}

/** JSON Pointer (RFC 6901) fragment naming a schema position, e.g. `#/properties/spec/items`. */
export function schemaPointer(path: SchemaPath): string {
  return `#${path.map((segment) => `/${segment.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;
}

/**
 * The values path a schema position constrains, in the style of the spec parsers' issue paths:
 * `spec.rules[*].name`. Array items and map values are `[*]`, tuple items `[n]`, map keys `[<key>]`;
 * junctors add nothing because their branches describe the same value. Empty for the root.
 */
export function dataPath(path: SchemaPath): string {
  let out = '';
  const property = (key: string) => {
    out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${out ? '.' : ''}${key}` : `[${JSON.stringify(key)}]`;
  };
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] ?? '';
    const next = path[i + 1];
    switch (segment) {
      case 'properties':
        if (next !== undefined) property(next);
        i++;
        break;
      case 'items':
        if (next !== undefined && /^\d+$/.test(next)) {
          out += `[${next}]`;
          i++;
        } else {
          out += '[*]';
        }
        break;
      case 'additionalItems':
      case 'additionalProperties':
        out += '[*]';
        break;
      case 'patternProperties':
        out += '[*]';
        i++;
        break;
      case 'propertyNames':
        out += '[<key>]';
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
      case 'definitions':
      case '$defs':
      case 'dependencies':
        i++;
        break;
      default:
        // `not`, `if`, `then`, `else` and keyword leaves such as `pattern` name no step in the value.
        break;
    }
  }
  return out;
}

/** `dataPath` for messages: the root reads `(root)`. */
export function describeDataPath(path: SchemaPath): string {
  return dataPath(path) || '(root)';
}
