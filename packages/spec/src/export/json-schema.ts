import { z } from 'zod';
import { assertRe2Pattern } from './re2-pattern.js';
import { describeDataPath, isSchemaNode, schemaPointer, walkSchema, type SchemaNode } from './schema-path.js';
import { inlineLocalRefs } from './schema-refs.js';

/** The `$schema` of every exported document: Helm 3 and Helm 4 both validate draft-07. */
export const JSON_SCHEMA_DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

export interface JsonSchemaOptions {
  /**
   * Add an open `global` object to the root properties. Helm passes `global` to every chart and
   * subchart, so a chart schema that is closed at the root must allow it.
   * @default false
   */
  readonly allowGlobal?: boolean;
  /** Root `title`. @default the zod schema's own title, if any */
  readonly title?: string;
  /** Root `description`. @default the zod schema's own description, if any */
  readonly description?: string;
}

/**
 * `format`s defined by draft-07. Validators ignore or disagree on the others zod emits (`uuid`,
 * `duration`, `cidrv4`, ...), so those are dropped; zod's own `pattern` for them stays.
 */
const DRAFT_07_FORMATS: ReadonlySet<string> = new Set([
  'date-time',
  'date',
  'time',
  'email',
  'idn-email',
  'hostname',
  'idn-hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uri-reference',
  'iri',
  'iri-reference',
  'uri-template',
  'json-pointer',
  'relative-json-pointer',
  'regex',
]);

/**
 * Exports a zod schema as a self-contained JSON Schema draft-07 document, as `values.schema.json` and
 * editors consume it.
 *
 * - The input side is described (`io: "input"`): a field with a zod default is never `required`, and
 *   the default is recorded as `default`.
 * - Every object is closed (`additionalProperties: false`) unless zod declares extra keys: a record,
 *   `z.looseObject` / `.loose()` (any extra key) or `.catchall(schema)`. That is the open-object
 *   convention; zod's runtime parse and the exported schema then agree on which keys are allowed.
 * - References are inlined; there is no `$ref` and no `definitions`.
 * - `.describe()` / `.meta({ description })` become `description`.
 *
 * @throws Error when the schema is recursive or has no JSON Schema form (transforms on the input
 *   side, dates, ...), when an intersection could not be flattened into one closed object, or when
 *   a root `global` property collides with `allowGlobal`.
 * @throws Re2PatternError naming the schema position when a `pattern` (or `patternProperties` key)
 *   uses a construct Go's RE2 rejects, such as a lookahead or a backreference.
 */
export function toJsonSchema(schema: z.ZodType, options: JsonSchemaOptions = {}): SchemaNode {
  let generated: unknown;
  try {
    generated = z.toJSONSchema(schema, {
      target: 'draft-07',
      io: 'input',
      unrepresentable: 'throw',
      cycles: 'throw',
      reused: 'inline',
    });
  } catch (error) {
    throw new Error(`cannot export the zod schema as JSON Schema: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // A JSON round trip drops zod's non-JSON extras (the `~standard` payload).
  const document = inlineLocalRefs(JSON.parse(JSON.stringify(generated)) as SchemaNode);
  walkSchema(document, (node, path) =>
    normalizeNode(node, path.length === 0 ? '#' : schemaPointer(path), describeDataPath(path)),
  );

  const { $schema: _replaced, title, description, ...rest } = document;
  const root: SchemaNode = { $schema: JSON_SCHEMA_DRAFT_07 };
  const rootTitle = options.title ?? title;
  const rootDescription = options.description ?? description;
  if (rootTitle !== undefined) root.title = rootTitle;
  if (rootDescription !== undefined) root.description = rootDescription;
  Object.assign(root, rest);
  if (options.allowGlobal === true) addGlobal(root);
  return root;
}

function isObjectNode(node: SchemaNode): boolean {
  const type = node.type;
  return (
    type === 'object' || (Array.isArray(type) && type.includes('object')) || isSchemaNode(node.properties)
  );
}

function normalizeNode(node: SchemaNode, where: string, values: string): void {
  if (where !== '#') delete node.$schema;
  if (typeof node.format === 'string' && !DRAFT_07_FORMATS.has(node.format)) delete node.format;
  if (isObjectNode(node) && node.additionalProperties === undefined) node.additionalProperties = false;
  if (
    Array.isArray(node.allOf) &&
    node.allOf.some((member) => isSchemaNode(member) && isObjectNode(member))
  ) {
    // Each closed member would reject the others' keys, so allOf of objects can never match.
    throw new Error(
      `intersection of objects at ${where} (values path ${values}) has no closed JSON Schema form; ` +
        'merge the objects into one z.object (e.g. with .extend())',
    );
  }
  if (typeof node.pattern === 'string')
    assertRe2Pattern(node.pattern, `${where}/pattern (values path ${values})`);
  if (isSchemaNode(node.patternProperties)) {
    for (const key of Object.keys(node.patternProperties)) {
      assertRe2Pattern(key, `${where}/patternProperties (values path ${values})`);
    }
  }
}

function addGlobal(root: SchemaNode): void {
  if (root.type !== 'object') throw new Error('allowGlobal needs an object schema at the root');
  const properties = isSchemaNode(root.properties) ? root.properties : {};
  if (properties.global !== undefined) {
    throw new Error(
      'the schema already defines a root `global` property; drop it or do not pass allowGlobal',
    );
  }
  properties.global = {
    type: 'object',
    description: 'Values Helm shares with this chart and every subchart; not validated here.',
  };
  root.properties = properties;
}
