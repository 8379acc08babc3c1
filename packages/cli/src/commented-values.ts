import { Document, isMap, isScalar, isSeq, type Node } from 'yaml';
import { z } from 'zod';

type JsonSchema = {
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

/** Unwraps the optional/nullable wrappers zod emits, keeping the outermost description. */
function unwrap(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (schema === undefined) return undefined;
  const inner =
    schema.anyOf?.find((option) => option.properties !== undefined || option.items !== undefined) ??
    schema.allOf?.[0];
  if (inner === undefined) return schema;
  return { ...unwrap(inner), ...(schema.description ? { description: schema.description } : {}) };
}

function keyComment(schema: JsonSchema | undefined, required: boolean): string | undefined {
  if (schema === undefined) return undefined;
  const parts = [schema.description ?? ''];
  if (required) parts.push('(required)');
  else if (schema.default !== undefined) parts.push(`(default: ${JSON.stringify(schema.default)})`);
  const text = parts.filter(Boolean).join(' ');
  return text ? ` ${text}` : undefined;
}

function annotate(node: Node | null | undefined, schema: JsonSchema | undefined): void {
  const resolved = unwrap(schema);
  if (resolved === undefined || node === null || node === undefined) return;
  if (isMap(node)) {
    const present = new Set<string>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      present.add(key);
      const child = resolved.properties?.[key];
      const comment = keyComment(child, resolved.required?.includes(key) ?? false);
      if (comment && isScalar(pair.key)) pair.key.commentBefore = comment;
      annotate(pair.value as Node, child);
    }
    const others = Object.entries(resolved.properties ?? {}).filter(([key]) => !present.has(key));
    if (others.length > 0) {
      const lines = others.map(([key, child]) => {
        const value = unwrap(child);
        const fallback = value?.default !== undefined ? ` = ${JSON.stringify(value.default)}` : '';
        return ` ${key}${fallback}: ${value?.description ?? ''}`.trimEnd();
      });
      node.comment = [' Other keys you may set here:', ...lines].join('\n');
    }
  } else if (isSeq(node)) {
    for (const item of node.items) annotate(item as Node, resolved.items);
  }
}

/**
 * A values file to edit: the example document, every key commented with its description and whether it
 * is required or what its default is, and the keys left out listed with their defaults.
 */
export function commentedValues(schema: z.ZodType, example: unknown, title: string): string {
  const jsonSchema = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'any',
  }) as JsonSchema;
  const document = new Document(example);
  annotate(document.contents as Node, jsonSchema);
  document.commentBefore = ` ${title}\n Edit, then run: sluicectl blueprints generate --name NAME --values-file FILE --output-dir DIR`;
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
