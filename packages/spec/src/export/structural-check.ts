import { isDeepStrictEqual } from 'node:util';
import { findRe2Problems } from './re2-pattern.js';
import { isSchemaNode, schemaPointer, type SchemaNode, type SchemaPath } from './schema-path.js';
import {
  INT_OR_STRING_ANY_OF,
  JUNCTOR_FORBIDDEN,
  KEYWORD_ADVICE,
  OPENAPI_TYPES,
  ROOT_KEYWORDS,
  SUPPORTED_KEYWORDS,
  type StructuralRule,
  type StructuralViolation,
} from './structural-rules.js';

type Level = 'root' | 'field' | 'item';

/**
 * Lists every way `schema` breaks the structural-schema rules, sorted by path. An empty list means
 * the API server will accept it as a CRD version's `openAPIV3Schema`.
 */
export function checkStructural(schema: SchemaNode): StructuralViolation[] {
  const violations: StructuralViolation[] = [];
  const report = (path: SchemaPath, rule: StructuralRule, message: string) =>
    violations.push({ path: schemaPointer(path), rule, message });
  checkSkeleton(schema, [], 'root', report);
  return violations.sort((a, b) =>
    a.path === b.path ? a.rule.localeCompare(b.rule) : a.path < b.path ? -1 : 1,
  );
}

type Report = (path: SchemaPath, rule: StructuralRule, message: string) => void;

function checkSkeleton(node: SchemaNode, path: SchemaPath, level: Level, report: Report): void {
  checkEveryNode(node, path, report);
  const type = node.type;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (type === undefined && !intOrString && !preserve) {
    report(
      path,
      'missing-type',
      `type must be set for ${level === 'root' ? 'the root' : level === 'item' ? 'array items' : 'object fields'}`,
    );
  }
  if (level === 'root') checkRoot(node, path, report);
  if (intOrString && preserve) {
    report(
      path,
      'int-or-string-conflict',
      'x-kubernetes-int-or-string and x-kubernetes-preserve-unknown-fields exclude each other',
    );
  }
  if (type === 'array' && node.items === undefined)
    report(path, 'array-without-items', 'an array needs items');
  if (Array.isArray(node.items))
    report([...path, 'items'], 'tuple-items', 'items must be one schema, not a list');
  if (isSchemaNode(node.items)) checkSkeleton(node.items, [...path, 'items'], 'item', report);

  const additional = node.additionalProperties;
  if (additional === false) {
    report(
      [...path, 'additionalProperties'],
      'additional-properties-false',
      'additionalProperties: false is rejected; unknown fields are pruned anyway',
    );
  } else if (additional !== undefined && level === 'root') {
    report(
      [...path, 'additionalProperties'],
      'additional-properties-at-root',
      'additionalProperties must not be used at the root',
    );
  }
  if (
    additional !== undefined &&
    additional !== false &&
    isSchemaNode(node.properties) &&
    Object.keys(node.properties).length > 0
  ) {
    report(
      [...path, 'additionalProperties'],
      'properties-with-additional-properties',
      'properties and additionalProperties exclude each other',
    );
  }
  if (isSchemaNode(additional)) checkSkeleton(additional, [...path, 'additionalProperties'], 'field', report);

  if (isSchemaNode(node.properties)) {
    for (const [key, child] of Object.entries(node.properties)) {
      if (isSchemaNode(child)) checkSkeleton(child, [...path, 'properties', key], 'field', report);
    }
  }
  if (node.default !== undefined) checkDefault(node, path, report);
  forEachJunctorBranch(node, path, (branch, branchPath) => {
    const skipTypes = isIntOrStringPattern(node, branchPath.slice(path.length));
    checkJunctorBranch(branch, branchPath, skipTypes, report);
    checkCompleteness(branch, node, branchPath, path, report);
  });
}

function checkRoot(node: SchemaNode, path: SchemaPath, report: Report): void {
  if (node.type !== undefined && node.type !== 'object')
    report([...path, 'type'], 'root-not-object', 'the root must be type object');
  for (const keyword of Object.keys(node)) {
    // Unsupported keywords and additionalProperties have rules of their own.
    const reportedElsewhere = !SUPPORTED_KEYWORDS.has(keyword) || keyword === 'additionalProperties';
    if (!ROOT_KEYWORDS.has(keyword) && !reportedElsewhere) {
      report(
        [...path, keyword],
        'root-keyword',
        `${keyword} is not allowed at the root (the status subresource allows only properties, required, description and similar)`,
      );
    }
  }
  const properties = isSchemaNode(node.properties) ? node.properties : {};
  for (const key of ['kind', 'apiVersion']) {
    const field = properties[key];
    if (!isSchemaNode(field)) continue;
    if (field.type !== 'string')
      report([...path, 'properties', key, 'type'], 'kind-api-version', `${key} must be type string`);
    if (field.default !== undefined)
      report([...path, 'properties', key, 'default'], 'kind-api-version', `${key} must not have a default`);
  }
  const metadata = properties.metadata;
  if (!isSchemaNode(metadata)) return;
  const metadataPath = [...path, 'properties', 'metadata'];
  if (metadata.type !== 'object') report(metadataPath, 'metadata-restricted', 'metadata must be type object');
  for (const keyword of Object.keys(metadata)) {
    if (keyword !== 'type' && keyword !== 'properties') {
      report(
        [...metadataPath, keyword],
        'metadata-restricted',
        `metadata may only restrict name and generateName; ${keyword} is not allowed`,
      );
    }
  }
  for (const key of Object.keys(isSchemaNode(metadata.properties) ? metadata.properties : {})) {
    if (key !== 'name' && key !== 'generateName') {
      report(
        [...metadataPath, 'properties', key],
        'metadata-restricted',
        `metadata may only restrict name and generateName, not ${key}`,
      );
    }
  }
}

/** Checks shared by skeleton and junctor nodes. */
function checkEveryNode(node: SchemaNode, path: SchemaPath, report: Report): void {
  for (const keyword of Object.keys(node)) {
    if (!SUPPORTED_KEYWORDS.has(keyword)) {
      const advice = KEYWORD_ADVICE[keyword];
      report(
        [...path, keyword],
        'unsupported-keyword',
        `${keyword} is not supported in a CRD schema${advice ? `; ${advice}` : ''}`,
      );
    }
  }
  const type = node.type;
  if (type !== undefined && (typeof type !== 'string' || !OPENAPI_TYPES.has(type))) {
    const hint =
      type === 'null' || (Array.isArray(type) && type.includes('null')) ? '; use nullable: true' : '';
    report(
      [...path, 'type'],
      'invalid-type',
      `type must be one of ${[...OPENAPI_TYPES].join(', ')}, not ${JSON.stringify(type)}${hint}`,
    );
  }
  if (typeof node.pattern === 'string') {
    const problems = findRe2Problems(node.pattern);
    if (problems.length > 0) {
      const details = problems.map((p) => `${p.construct}: ${p.reason}`).join('; ');
      report(
        [...path, 'pattern'],
        'non-re2-pattern',
        `pattern ${JSON.stringify(node.pattern)} is not RE2: ${details}`,
      );
    }
  }
  if (node['x-kubernetes-preserve-unknown-fields'] === false) {
    report(
      [...path, 'x-kubernetes-preserve-unknown-fields'],
      'preserve-unknown-fields-false',
      'x-kubernetes-preserve-unknown-fields must be true or absent',
    );
  }
  if (node.uniqueItems === true) {
    report(
      [...path, 'uniqueItems'],
      'unique-items',
      'uniqueItems cannot be true (quadratic cost); use x-kubernetes-list-type: set',
    );
  }
  for (const keyword of ['exclusiveMinimum', 'exclusiveMaximum']) {
    if (node[keyword] !== undefined && typeof node[keyword] !== 'boolean') {
      const bound = keyword === 'exclusiveMinimum' ? 'minimum' : 'maximum';
      report(
        [...path, keyword],
        'exclusive-bound-not-boolean',
        `${keyword} must be a boolean qualifying ${bound} (OpenAPI v3.0)`,
      );
    }
  }
}

function forEachJunctorBranch(
  node: SchemaNode,
  path: SchemaPath,
  visit: (branch: SchemaNode, path: SchemaPath) => void,
): void {
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    const branches = node[keyword];
    if (!Array.isArray(branches)) continue;
    branches.forEach((branch, index) => {
      if (isSchemaNode(branch)) visit(branch, [...path, keyword, String(index)]);
    });
  }
  if (isSchemaNode(node.not)) visit(node.not, [...path, 'not']);
}

/** Whether the branch at `relative` (from `node`) belongs to one of the two int-or-string patterns. */
function isIntOrStringPattern(node: SchemaNode, relative: SchemaPath): boolean {
  const [keyword, index] = relative;
  if (keyword === 'anyOf') return isDeepStrictEqual(node.anyOf, INT_OR_STRING_ANY_OF);
  if (keyword === 'allOf' && index === '0' && Array.isArray(node.allOf)) {
    const first: unknown = node.allOf[0];
    return isSchemaNode(first) && isDeepStrictEqual(first.anyOf, INT_OR_STRING_ANY_OF);
  }
  return false;
}

function checkJunctorBranch(node: SchemaNode, path: SchemaPath, skipTypes: boolean, report: Report): void {
  checkEveryNode(node, path, report);
  for (const keyword of Object.keys(node)) {
    const forbidden = JUNCTOR_FORBIDDEN.includes(keyword) || keyword.startsWith('x-kubernetes-');
    if (forbidden && !(skipTypes && keyword === 'type')) {
      report(
        [...path, keyword],
        'junctor-forbidden-keyword',
        `${keyword} must not appear inside allOf, anyOf, oneOf or not`,
      );
    }
  }
  if (isSchemaNode(node.properties) && node.properties.metadata !== undefined) {
    report(
      [...path, 'properties', 'metadata'],
      'metadata-restricted',
      'metadata must not be specified inside allOf, anyOf, oneOf or not',
    );
  }
  if (isSchemaNode(node.properties)) {
    for (const [key, child] of Object.entries(node.properties)) {
      if (isSchemaNode(child)) checkJunctorBranch(child, [...path, 'properties', key], false, report);
    }
  }
  if (isSchemaNode(node.items)) checkJunctorBranch(node.items, [...path, 'items'], false, report);
  if (isSchemaNode(node.additionalProperties))
    checkJunctorBranch(node.additionalProperties, [...path, 'additionalProperties'], false, report);
  forEachJunctorBranch(node, path, (branch, branchPath) => {
    // The int-or-string exception also covers `allOf: [{anyOf: [{type: integer}, {type: string}]}, ...]`.
    checkJunctorBranch(branch, branchPath, isIntOrStringPattern(node, branchPath.slice(path.length)), report);
  });
}

/** Every property and items a junctor branch mentions must exist in the skeleton node it applies to. */
function checkCompleteness(
  branch: SchemaNode,
  skeleton: SchemaNode | undefined,
  branchPath: SchemaPath,
  skeletonPath: SchemaPath,
  report: Report,
): void {
  if (skeleton === undefined) {
    report(
      skeletonPath,
      'junctor-incomplete',
      `must be specified outside the junctors because ${schemaPointer(branchPath)} mentions it`,
    );
    return;
  }
  forEachJunctorBranch(branch, branchPath, (nested, nestedPath) =>
    checkCompleteness(nested, skeleton, nestedPath, skeletonPath, report),
  );
  if (isSchemaNode(branch.items)) {
    const items = isSchemaNode(skeleton.items) ? skeleton.items : undefined;
    checkCompleteness(branch.items, items, [...branchPath, 'items'], [...skeletonPath, 'items'], report);
  }
  if (isSchemaNode(branch.properties)) {
    const known = isSchemaNode(skeleton.properties) ? skeleton.properties : {};
    for (const [key, child] of Object.entries(branch.properties)) {
      if (!isSchemaNode(child)) continue;
      const target = known[key];
      checkCompleteness(
        child,
        isSchemaNode(target) ? target : undefined,
        [...branchPath, 'properties', key],
        [...skeletonPath, 'properties', key],
        report,
      );
    }
  }
}

function checkDefault(node: SchemaNode, path: SchemaPath, report: Report): void {
  const pruned = pruneValue(node.default, node);
  if (!isDeepStrictEqual(pruned, node.default)) {
    report(
      [...path, 'default'],
      'default-pruned',
      `default ${JSON.stringify(node.default)} has fields the schema does not specify; the API server would prune it to ${JSON.stringify(pruned)}`,
    );
  }
}

/** What the API server's pruning keeps of `value` under the skeleton `schema`. */
function pruneValue(value: unknown, schema: SchemaNode): unknown {
  const items = schema.items;
  if (Array.isArray(value)) return isSchemaNode(items) ? value.map((item) => pruneValue(item, items)) : value;
  if (!isSchemaNode(value)) return value;
  const properties = isSchemaNode(schema.properties) ? schema.properties : {};
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const pruned: SchemaNode = {};
  for (const [key, field] of Object.entries(value)) {
    const known = properties[key];
    if (isSchemaNode(known)) pruned[key] = pruneValue(field, known);
    else if (isSchemaNode(schema.additionalProperties))
      pruned[key] = pruneValue(field, schema.additionalProperties);
    else if (preserve || schema.additionalProperties === true) pruned[key] = field;
  }
  return pruned;
}
