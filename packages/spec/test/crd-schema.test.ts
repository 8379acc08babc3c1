import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  checkStructural,
  STRUCTURAL_RULES,
  StructuralSchemaError,
  toJsonSchema,
  toStructuralSchema,
  type SchemaNode,
  type StructuralRule,
  FlowPolicySchema,
} from '../src/index.js';

const FIXTURES = new URL('./fixtures/structural/', import.meta.url);

/** `<rule>.json` or `<rule>--<variant>.json`: a schema that breaks exactly that rule. */
const fixtures = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({
    file,
    rule: file.replace(/(--[a-z0-9-]+)?\.json$/, ''),
    schema: JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as SchemaNode,
  }));

/** Fixtures with no structural form: what toStructuralSchema must say instead of converting. */
const UNCONVERTIBLE: Record<string, RegExp> = {
  'additional-properties-at-root.json': /\[additional-properties-at-root\]/,
  'default-pruned.json': /\[default-pruned\].*prune it to \{"burst":10\}/,
  'int-or-string-conflict.json': /\[int-or-string-conflict\]/,
  'non-re2-pattern.json': /\[non-re2-pattern\].*lookahead/,
  'root-not-object.json': /\[root-not-object\]/,
  'tuple-items.json':
    /a tuple at #\/properties\/spec\/properties\/pair \(values path spec\.pair\) has no structural form/,
};

/** Sample CRD with every shape the converter rewrites. */
const Widget = z
  .object({
    apiVersion: z.literal('example.dev/v1'),
    kind: z.literal('Widget'),
    metadata: z.looseObject({
      name: z.string().max(63),
      labels: z.record(z.string(), z.string()).optional(),
    }),
    spec: z
      .object({
        port: z
          .union([z.number().int().min(1).max(65535), z.string().regex(/^[a-z]+$/)])
          .describe('Port number or name.'),
        replicas: z.number().int().positive().default(1),
        note: z.string().nullable().optional(),
        limits: z
          .object({ burst: z.number().default(10) })
          .strict()
          .nullable()
          .optional(),
        backend: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('local') }).strict(),
          z.object({ kind: z.literal('redis'), address: z.string().min(1) }).strict(),
        ]),
        weights: z.partialRecord(z.enum(['gold', 'silver']), z.number()).optional(),
        labels: z.record(z.string().regex(/^[a-z]+$/), z.string()).optional(),
        raw: z.unknown().optional(),
        passthrough: z.looseObject({ known: z.string().optional() }).optional(),
        items: z.array(z.object({ name: z.string() }).strict()).default([]),
      })
      .strict(),
    status: z.looseObject({}).optional(),
  })
  .strict();

const at = (schema: SchemaNode, ...keys: string[]): SchemaNode => {
  let node: unknown = schema;
  for (const key of keys) node = (node as SchemaNode)[key];
  assert.ok(node !== null && typeof node === 'object', `no node at ${keys.join('.')}`);
  return node as SchemaNode;
};

test('every structural rule has a fixture, and each fixture breaks exactly its rule', () => {
  const covered = new Set(fixtures.map((fixture) => fixture.rule));
  assert.deepEqual(
    [...STRUCTURAL_RULES].filter((rule) => !covered.has(rule)),
    [],
    'rules without a fixture',
  );
  for (const { file, rule, schema } of fixtures) {
    assert.ok((STRUCTURAL_RULES as readonly string[]).includes(rule), `${file} names no rule`);
    const violations = checkStructural(schema);
    assert.ok(violations.length > 0, `${file} passed`);
    assert.deepEqual(
      [...new Set(violations.map((violation) => violation.rule))],
      [rule as StructuralRule],
      `${file}: ${JSON.stringify(violations)}`,
    );
    for (const violation of violations) assert.match(violation.path, /^#/);
  }
});

test('toStructuralSchema repairs each convertible fixture and explains the others', () => {
  for (const { file, schema } of fixtures) {
    const expected = UNCONVERTIBLE[file];
    if (expected) {
      assert.throws(() => toStructuralSchema(schema), expected, file);
      continue;
    }
    const converted = toStructuralSchema(schema);
    assert.deepEqual(checkStructural(converted), [], file);
  }
  assert.throws(
    () => toStructuralSchema(fixtures.find((f) => f.file === 'default-pruned.json')?.schema ?? {}),
    StructuralSchemaError,
  );
});

test('the sample CRD converts to a structural schema with each rewrite in place', () => {
  const schema = toStructuralSchema(toJsonSchema(Widget), { preserveUnknownFieldsAt: ['spec'] });
  assert.deepEqual(checkStructural(schema), []);
  assert.doesNotMatch(
    JSON.stringify(schema),
    /"\$schema"|"const"|"additionalProperties":false|"propertyNames"|"\$ref"/,
  );
  assert.deepEqual(at(schema, 'properties', 'metadata'), {
    type: 'object',
    properties: { name: { type: 'string', maxLength: 63 } },
  });
  assert.deepEqual(at(schema, 'properties', 'kind'), { type: 'string', enum: ['Widget'] });
  assert.deepEqual(at(schema, 'properties', 'status'), {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  });

  const spec = at(schema, 'properties', 'spec');
  assert.equal(
    spec['x-kubernetes-preserve-unknown-fields'],
    true,
    'spec keeps unknown keys for the controller',
  );
  assert.ok(Object.keys(at(spec, 'properties')).includes('backend'), 'known fields stay listed');
  assert.equal(
    at(spec, 'properties', 'items', 'items')['x-kubernetes-preserve-unknown-fields'],
    undefined,
    'spec only, not below',
  );

  assert.deepEqual(at(spec, 'properties', 'port'), {
    description: 'Port number or name.',
    'x-kubernetes-int-or-string': true,
    allOf: [
      { anyOf: [{ type: 'integer' }, { type: 'string' }] },
      { minimum: 1, maximum: 65535 },
      { pattern: '^[a-z]+$' },
    ],
  });
  assert.deepEqual(at(spec, 'properties', 'replicas'), {
    default: 1,
    type: 'integer',
    minimum: 0,
    exclusiveMinimum: true,
    maximum: 9007199254740991,
  });
  assert.deepEqual(at(spec, 'properties', 'note'), { type: 'string', nullable: true });
  assert.equal(at(spec, 'properties', 'limits').nullable, true);
  assert.equal(at(spec, 'properties', 'limits').type, 'object');

  const backend = at(spec, 'properties', 'backend');
  assert.deepEqual(backend.properties, { kind: { type: 'string' }, address: { type: 'string' } });
  assert.deepEqual(backend.oneOf, [
    { properties: { kind: { enum: ['local'] } }, required: ['kind'] },
    { properties: { kind: { enum: ['redis'] }, address: { minLength: 1 } }, required: ['kind', 'address'] },
  ]);
  assert.deepEqual(at(spec, 'properties', 'weights'), {
    type: 'object',
    properties: { gold: { type: 'number' }, silver: { type: 'number' } },
  });
  assert.deepEqual(at(spec, 'properties', 'labels'), {
    type: 'object',
    additionalProperties: { type: 'string' },
  });
  assert.deepEqual(at(spec, 'properties', 'raw'), { 'x-kubernetes-preserve-unknown-fields': true });
  assert.equal(at(spec, 'properties', 'passthrough')['x-kubernetes-preserve-unknown-fields'], true);
});

test('preserveUnknownFieldsAt marks a subtree with .** and refuses entries that match nothing', () => {
  const json = toJsonSchema(Widget);
  const deep = toStructuralSchema(json, { preserveUnknownFieldsAt: ['spec.**'] });
  const spec = at(deep, 'properties', 'spec');
  assert.equal(spec['x-kubernetes-preserve-unknown-fields'], true);
  assert.equal(at(spec, 'properties', 'items', 'items')['x-kubernetes-preserve-unknown-fields'], true);
  assert.equal(
    at(spec, 'properties', 'labels')['x-kubernetes-preserve-unknown-fields'],
    undefined,
    'maps keep every key already',
  );
  assert.equal(at(deep, 'properties', 'metadata')['x-kubernetes-preserve-unknown-fields'], undefined);
  const items = toStructuralSchema(json, { preserveUnknownFieldsAt: ['spec.items[*]'] });
  assert.equal(at(items, 'properties', 'spec')['x-kubernetes-preserve-unknown-fields'], undefined);
  assert.equal(
    at(items, 'properties', 'spec', 'properties', 'items', 'items')['x-kubernetes-preserve-unknown-fields'],
    true,
  );
  assert.throws(
    () => toStructuralSchema(json, { preserveUnknownFieldsAt: ['spec.itmes'] }),
    /match no object in the schema: spec\.itmes/,
  );
});

test('unions of unrelated types and recursive references are refused with their position', () => {
  const mixed = z.object({ spec: z.object({ size: z.union([z.number(), z.string()]) }).strict() }).strict();
  assert.throws(
    () => toStructuralSchema(toJsonSchema(mixed)),
    /the type list \["number","string"\] at #\/properties\/spec\/properties\/size \(values path spec\.size\) has no structural form/,
  );
  const shapes = z
    .object({ spec: z.union([z.object({ a: z.string() }).strict(), z.array(z.string())]) })
    .strict();
  assert.throws(
    () => toStructuralSchema(toJsonSchema(shapes)),
    /union at #\/properties\/spec \(values path spec\) mixes types object, array/,
  );
  const recursive = {
    type: 'object',
    properties: { spec: { $ref: '#/definitions/Node' } },
    definitions: { Node: { type: 'object', properties: { child: { $ref: '#/definitions/Node' } } } },
  };
  assert.throws(() => toStructuralSchema(recursive), /is recursive and cannot be inlined/);
});

test('the FlowPolicy CRD schema is structural, keeps unknown spec keys and every default survives pruning', () => {
  const schema = toStructuralSchema(toJsonSchema(FlowPolicySchema), { preserveUnknownFieldsAt: ['spec.**'] });
  // checkStructural includes the default-pruned rule, so this also covers every zod default.
  assert.deepEqual(checkStructural(schema), []);
  const spec = at(schema, 'properties', 'spec');
  assert.equal(spec['x-kubernetes-preserve-unknown-fields'], true);
  assert.deepEqual(Object.keys(at(spec, 'properties')), [
    'classifiers',
    'fluxMeters',
    'rateLimiters',
    'loadSchedulers',
  ]);
  assert.equal(at(spec, 'properties', 'rateLimiters', 'items')['x-kubernetes-preserve-unknown-fields'], true);
  assert.equal(at(schema, 'properties', 'metadata').type, 'object');
  assert.deepEqual(Object.keys(at(schema, 'properties', 'metadata', 'properties')), ['name']);
});
