import {
  childSchemas,
  isSchemaNode,
  schemaPointer,
  setChildSchema,
  type SchemaNode,
  type SchemaPath,
} from './schema-path.js';

const LOCAL_DEFINITION = /^#\/(definitions|\$defs)\/(.+)$/;

/**
 * Returns a copy of `root` with every local `$ref` (`#/definitions/X`, `#/$defs/X`) replaced by the
 * definition it names, and the definition tables removed, so the document is self-contained and
 * Kubernetes (which forbids `$ref`) can take it too. Keywords written beside a `$ref` are kept and win
 * over the definition's, and zod's `allOf: [{ $ref }]` wrappers fold away.
 *
 * @throws Error naming the position when a reference is recursive, points outside the document or
 *   names a missing definition: such schemas have no inline form.
 */
export function inlineLocalRefs(root: SchemaNode): SchemaNode {
  const tables: Record<string, unknown> = { definitions: root.definitions, $defs: root.$defs };
  const copy = structuredClone(root);
  delete copy.definitions;
  delete copy.$defs;
  return resolveNode(copy, [], [], tables);
}

function resolveNode(
  node: SchemaNode,
  path: SchemaPath,
  expanding: readonly string[],
  tables: Record<string, unknown>,
): SchemaNode {
  let current = node;
  let stack = expanding;
  const ref = current.$ref;
  if (ref !== undefined) {
    if (typeof ref !== 'string') throw new Error(`$ref at ${schemaPointer(path)} must be a string`);
    const match = LOCAL_DEFINITION.exec(ref);
    if (!match) {
      throw new Error(
        `$ref ${JSON.stringify(ref)} at ${schemaPointer(path)} is not a local definition; ` +
          'exported schemas must be self-contained (recursive zod schemas cannot be exported)',
      );
    }
    if (stack.includes(ref)) {
      throw new Error(
        `$ref ${JSON.stringify(ref)} at ${schemaPointer(path)} is recursive and cannot be inlined`,
      );
    }
    const table = tables[match[1] ?? ''];
    const name = (match[2] ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
    const definition = isSchemaNode(table) ? table[name] : undefined;
    if (!isSchemaNode(definition)) {
      throw new Error(`$ref ${JSON.stringify(ref)} at ${schemaPointer(path)} names no definition`);
    }
    const { $ref: _ignored, ...siblings } = current;
    current = { ...structuredClone(definition), ...siblings };
    stack = [...stack, ref];
    // The definition may itself start with a $ref.
    if (current.$ref !== undefined) return resolveNode(current, path, stack, tables);
  }
  for (const child of childSchemas(current)) {
    setChildSchema(
      current,
      child.segments,
      resolveNode(child.schema, [...path, ...child.segments], stack, tables),
    );
  }
  return unwrapSingleAllOf(current);
}

/** Keywords that annotate rather than validate: the wrapper's win over the wrapped schema's. */
const ANNOTATIONS = new Set([
  'description',
  'title',
  'default',
  'examples',
  '$comment',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

/**
 * zod wraps a reused schema as `{ description, allOf: [{ $ref }] }` when it adds metadata or wrappers;
 * once the reference is inlined, the single-member `allOf` folds into its parent. Left alone when the
 * parent holds validation keywords of its own the member also has.
 */
function unwrapSingleAllOf(node: SchemaNode): SchemaNode {
  const allOf = node.allOf;
  if (!Array.isArray(allOf) || allOf.length !== 1 || !isSchemaNode(allOf[0])) return node;
  const member = allOf[0];
  const { allOf: _wrapper, ...own } = node;
  const clash = Object.keys(own).some(
    (keyword) => !ANNOTATIONS.has(keyword) && member[keyword] !== undefined,
  );
  return clash ? node : { ...member, ...own };
}
