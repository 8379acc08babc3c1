import { INT_OR_STRING_ANY_OF } from './structural-rules.js';
import {
  describeDataPath,
  isSchemaNode,
  schemaPointer,
  type SchemaNode,
  type SchemaPath,
} from './schema-path.js';

/**
 * Rewrites unions (`anyOf`/`oneOf`/`allOf`/`not`) into the structural form Kubernetes requires: the
 * fields every branch may hold are declared once outside the junctors (the "skeleton", which drives
 * pruning, defaulting and `kubectl explain`), and the branches keep only value validations
 * (`required`, `enum`, `pattern`, bounds, ...).
 *
 * What this cannot carry over is left to the controller's zod parse, which reports it as Invalid:
 * the closedness of each branch (a key of branch A is accepted in a value matching branch B) and the
 * defaults of fields that only exist inside branches.
 */

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';
const INT_OR_STRING = 'x-kubernetes-int-or-string';
const UNION_KEYWORDS = ['anyOf', 'oneOf', 'allOf'] as const;
const NUMERIC_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const STRING_KEYWORDS = ['pattern', 'minLength', 'maxLength', 'format'];
/** Keywords a value validation (a junctor branch) must not hold. */
const NOT_VALUE_VALIDATION = [
  'type',
  'default',
  'description',
  'title',
  'nullable',
  'externalDocs',
  'example',
  'additionalProperties',
];

/** Converts a subschema to structural form; supplied by the caller so that recursion stays in one place. */
export type ConvertChild = (schema: SchemaNode, path: SchemaPath) => SchemaNode;

export function hasJunctor(node: SchemaNode): boolean {
  return UNION_KEYWORDS.some((keyword) => Array.isArray(node[keyword])) || isSchemaNode(node.not);
}

/**
 * Returns `node` with its junctors in structural form.
 *
 * @throws Error naming the position when the branches need different types (other than integer and
 *   string, which become `x-kubernetes-int-or-string`), or one branch is a map and another an object.
 */
export function convertJunctors(node: SchemaNode, path: SchemaPath, convertChild: ConvertChild): SchemaNode {
  const result: SchemaNode = { ...node };
  for (const keyword of UNION_KEYWORDS) delete result[keyword];
  const skeletonParts: SchemaNode[] = [];
  // Reads the input's junctors: the int-or-string rewrite below writes junctors of its own.
  for (const keyword of UNION_KEYWORDS) {
    const raw = node[keyword];
    if (!Array.isArray(raw)) continue;
    const branches = raw
      .filter(isSchemaNode)
      .map((branch, index) => convertChild(branch, [...path, keyword, String(index)]));
    if (keyword !== 'allOf' && branches.some(isAnything)) {
      // One branch accepts every value, so the union does too.
      result[PRESERVE] = true;
      continue;
    }
    if (keyword !== 'allOf' && isIntOrStringUnion(branches)) {
      applyIntOrString(result, branches, path);
      continue;
    }
    skeletonParts.push(...branches);
    const validations = branches.map(toValueValidation);
    if (keyword === 'allOf') {
      const kept = validations.filter((validation) => !isEmpty(validation));
      const written = Array.isArray(result.allOf) ? result.allOf : [];
      if (kept.length > 0) result.allOf = [...written, ...kept];
    } else if (!validations.some(isEmpty)) {
      // An empty branch accepts every value of the skeleton, so the union would add nothing.
      result[keyword] = validations;
    }
  }
  if (isSchemaNode(result.not)) result.not = toValueValidation(convertChild(result.not, [...path, 'not']));
  if (skeletonParts.length === 0) return result;
  const skeleton = mergeSkeletons([skeletonOf(result), ...skeletonParts], path);
  // The node's own annotations (description, default, ...) win over those merged from branches.
  return {
    ...skeleton,
    ...result,
    ...pick(skeleton, ['type', 'properties', 'items', 'additionalProperties']),
  };
}

function isAnything(node: SchemaNode): boolean {
  return (
    node.type === undefined &&
    node[PRESERVE] === true &&
    node[INT_OR_STRING] === undefined &&
    !hasJunctor(node)
  );
}

function isEmpty(node: SchemaNode): boolean {
  return Object.keys(node).length === 0;
}

function isIntOrStringUnion(branches: readonly SchemaNode[]): boolean {
  const types = new Set(
    branches.map((branch) => (branch[INT_OR_STRING] === true ? 'int-or-string' : branch.type)),
  );
  const allowed = [...types].every(
    (type) => type === 'integer' || type === 'string' || type === 'int-or-string',
  );
  return allowed && (types.has('int-or-string') || (types.has('integer') && types.has('string')));
}

/**
 * int-or-string with value validations: `allOf: [{anyOf: [{type: integer}, {type: string}]}, numeric, string]`.
 * Numeric keywords are ignored for strings and string keywords for integers, so each type's group of
 * branches can be required of every value.
 */
function applyIntOrString(result: SchemaNode, branches: readonly SchemaNode[], path: SchemaPath): void {
  delete result.type;
  result[INT_OR_STRING] = true;
  const groups: SchemaNode[] = [];
  for (const [type, allowed] of [
    ['integer', NUMERIC_KEYWORDS],
    ['string', STRING_KEYWORDS],
  ] as const) {
    const validations = branches.filter((branch) => branch.type === type).map(toValueValidation);
    for (const validation of validations) {
      const other = Object.keys(validation).filter((keyword) => !allowed.includes(keyword));
      if (other.length > 0) {
        throw new Error(
          `int-or-string union at ${schemaPointer(path)} (values path ${describeDataPath(path)}) has ${other.join(', ')} ` +
            `on its ${type} branch, which Kubernetes cannot apply to one type only; constrain with ${allowed.join(', ')}`,
        );
      }
    }
    if (validations.length === 0 || validations.some(isEmpty)) continue;
    groups.push(validations.length === 1 ? (validations[0] as SchemaNode) : { anyOf: validations });
  }
  const pattern = structuredClone(INT_OR_STRING_ANY_OF) as SchemaNode[];
  if (groups.length === 0) result.anyOf = pattern;
  else result.allOf = [{ anyOf: pattern }, ...groups];
}

/** A branch reduced to value validations, recursively; annotations and `x-kubernetes-*` are dropped. */
function toValueValidation(node: SchemaNode): SchemaNode {
  const result: SchemaNode = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (NOT_VALUE_VALIDATION.includes(keyword) || keyword.startsWith('x-kubernetes-')) continue;
    result[keyword] = value;
  }
  if (isSchemaNode(result.properties)) {
    const properties: SchemaNode = {};
    for (const [key, child] of Object.entries(result.properties)) {
      const validation = isSchemaNode(child) ? toValueValidation(child) : {};
      if (!isEmpty(validation)) properties[key] = validation;
    }
    if (isEmpty(properties)) delete result.properties;
    else result.properties = properties;
  }
  if (isSchemaNode(result.items)) {
    const items = toValueValidation(result.items);
    if (isEmpty(items)) delete result.items;
    else result.items = items;
  }
  for (const keyword of UNION_KEYWORDS) {
    const branches = result[keyword];
    if (!Array.isArray(branches)) continue;
    const validations = branches.filter(isSchemaNode).map(toValueValidation);
    const kept = validations.filter((validation) => !isEmpty(validation));
    // An empty anyOf/oneOf branch (such as int-or-string's typed pattern) accepts everything.
    if (keyword === 'allOf' ? kept.length === 0 : kept.length < validations.length) delete result[keyword];
    else result[keyword] = kept;
  }
  if (isSchemaNode(result.not)) result.not = toValueValidation(result.not);
  return result;
}

/** The structural part of a converted node: what pruning, defaulting and `kubectl explain` read. */
function skeletonOf(node: SchemaNode): SchemaNode {
  return pick(node, [
    'type',
    'nullable',
    'description',
    'properties',
    'items',
    'additionalProperties',
    PRESERVE,
    INT_OR_STRING,
  ]);
}

function pick(node: SchemaNode, keywords: readonly string[]): SchemaNode {
  const result: SchemaNode = {};
  for (const keyword of keywords) if (node[keyword] !== undefined) result[keyword] = node[keyword];
  return result;
}

/** Merges the skeletons of several converted schemas for the same value. */
function mergeSkeletons(nodes: readonly SchemaNode[], path: SchemaPath): SchemaNode {
  const parts = nodes.map(skeletonOf);
  const merged: SchemaNode = {};
  const types = [...new Set(parts.map((part) => part.type).filter((type) => type !== undefined))];
  if (types.length > 1) {
    throw new Error(
      `union at ${schemaPointer(path)} (values path ${describeDataPath(path)}) mixes types ${types.join(', ')}; ` +
        'a Kubernetes field has one type (integer and string may mix, as int-or-string)',
    );
  }
  if (types[0] !== undefined) merged.type = types[0];
  const description = parts.find((part) => typeof part.description === 'string')?.description;
  if (description !== undefined) merged.description = description;
  if (parts.some((part) => part.nullable === true)) merged.nullable = true;
  if (parts.some((part) => part[PRESERVE] === true)) merged[PRESERVE] = true;
  if (parts.some((part) => part[INT_OR_STRING] === true)) {
    merged[INT_OR_STRING] = true;
    merged.anyOf = structuredClone(INT_OR_STRING_ANY_OF);
  }
  const keys = [
    ...new Set(parts.flatMap((part) => (isSchemaNode(part.properties) ? Object.keys(part.properties) : []))),
  ];
  if (keys.length > 0) {
    const properties: SchemaNode = {};
    for (const key of keys) {
      const fields = parts
        .map((part) => (isSchemaNode(part.properties) ? part.properties[key] : undefined))
        .filter(isSchemaNode);
      properties[key] = mergeSkeletons(fields, [...path, 'properties', key]);
    }
    merged.properties = properties;
  }
  const items = parts.map((part) => part.items).filter(isSchemaNode);
  if (items.length > 0) merged.items = mergeSkeletons(items, [...path, 'items']);
  const maps = parts.map((part) => part.additionalProperties).filter(isSchemaNode);
  if (maps.length > 0) {
    if (keys.length > 0) {
      throw new Error(
        `union at ${schemaPointer(path)} (values path ${describeDataPath(path)}) mixes a map with an object`,
      );
    }
    merged.additionalProperties = mergeSkeletons(maps, [...path, 'additionalProperties']);
  }
  return merged;
}
