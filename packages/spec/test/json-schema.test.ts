import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { z } from 'zod';
import { helmBinaries } from '@sluice/testkit';
import { findRe2Problems, FlowPolicySchema, Re2PatternError, toJsonSchema } from '../src/index.js';
import { JSON_SCHEMA_DRAFT_07 } from '../src/export/json-schema.js';
import { isSchemaNode, walkSchema, type SchemaNode } from '../src/export/schema-path.js';

const Tenant = z
  .object({
    id: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/)
      .describe('Tenant id.'),
    weight: z.number().positive().default(1),
  })
  .strict()
  .meta({ id: 'Tenant', description: 'One tenant and its share.' });

/** Chart-values-like schema with every shape the exporter must handle. */
const Values = z
  .object({
    name: z.string().min(1).describe('Release name.'),
    replicas: z.number().int().min(0).default(1),
    mode: z.enum(['local', 'redis']).default('local'),
    limits: z
      .object({
        burst: z.number().int().min(1).default(10),
        window: z
          .string()
          .regex(/^[0-9]+(ms|s)$/)
          .default('1s'),
      })
      .strict()
      .prefault({}),
    tenants: z.array(Tenant).default([]),
    owner: Tenant.optional(),
    contact: z.email().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    resources: z.looseObject({}).optional().describe('Kubernetes resources, passed through whole.'),
    extra: z.object({ known: z.string() }).catchall(z.number()).optional(),
    stripped: z.object({ a: z.string() }).optional(),
    backend: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('local') }).strict(),
        z.object({ kind: z.literal('redis'), address: z.string() }).strict(),
      ])
      .optional(),
    note: z.string().nullable().optional(),
  })
  .strict()
  .describe('Sample chart values.');

// Ajv's default class is draft-07. Formats need ajv-formats, which spec does not depend on; zod's
// pattern beside each format is what these tests exercise, and the helm test covers Go's checkers.
const validator = (schema: SchemaNode) =>
  new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, validateFormats: false }).compile(schema);

/** `required` entries whose property has a default, anywhere in the document. */
function requiredWithDefaults(schema: SchemaNode): string[] {
  const found: string[] = [];
  walkSchema(schema, (node, path) => {
    if (!Array.isArray(node.required) || !isSchemaNode(node.properties)) return;
    for (const key of node.required) {
      const property = node.properties[String(key)];
      if (isSchemaNode(property) && property.default !== undefined) found.push([...path, key].join('/'));
    }
  });
  return found;
}

test('fields with defaults are never required, in the sample and in FlowPolicy', () => {
  const schema = toJsonSchema(Values);
  assert.deepEqual(schema.required, ['name']);
  assert.deepEqual(requiredWithDefaults(schema), []);
  assert.deepEqual(requiredWithDefaults(toJsonSchema(FlowPolicySchema)), []);
});

test('the document is self-contained draft-07 with descriptions', () => {
  const schema = toJsonSchema(Values, { title: 'sample' });
  const text = JSON.stringify(schema);
  assert.equal(schema.$schema, JSON_SCHEMA_DRAFT_07);
  assert.equal(schema.title, 'sample');
  assert.equal(schema.description, 'Sample chart values.');
  // Tenant is registered with an id and used twice: zod would emit a definition and two $refs.
  assert.doesNotMatch(text, /\$ref|definitions|\$defs/);
  assert.equal((text.match(/One tenant and its share\./g) ?? []).length, 2);
  assert.match(text, /"description":"Release name\."/);
  // Only the root carries $schema.
  assert.equal((text.match(/\$schema/g) ?? []).length, 1);
});

test('objects are closed unless zod declares extra keys', () => {
  const properties = toJsonSchema(Values).properties as Record<string, SchemaNode>;
  assert.equal(properties.limits?.additionalProperties, false);
  assert.equal(properties.stripped?.additionalProperties, false, 'strip-mode z.object is closed too');
  assert.deepEqual(properties.resources?.additionalProperties, {});
  assert.deepEqual(properties.labels?.additionalProperties, { type: 'string' });
  assert.deepEqual(properties.extra?.additionalProperties, { type: 'number' });
});

test('ajv accepts documents with and without the defaulted fields', () => {
  const validate = validator(toJsonSchema(Values));
  const minimal = { name: 'demo' };
  const full = {
    name: 'demo',
    replicas: 3,
    mode: 'redis',
    limits: { burst: 5, window: '250ms' },
    tenants: [{ id: 'acme' }, { id: 'globex', weight: 2 }],
    owner: { id: 'acme', weight: 1 },
    contact: 'ops@example.com',
    labels: { team: 'payments' },
    resources: { limits: { cpu: '1' }, anything: [1, 2] },
    extra: { known: 'x', more: 1 },
    backend: { kind: 'redis', address: 'redis:6379' },
    note: null,
  };
  for (const document of [minimal, full]) assert.ok(validate(document), JSON.stringify(validate.errors));
  // The same documents parse with zod: schema and runtime agree.
  assert.ok(Values.safeParse(full).success);
});

test('ajv rejects unknown keys at the root and at depth, naming the path', () => {
  const validate = validator(toJsonSchema(Values));
  const cases = [
    { document: { name: 'demo', bogus: 1 }, instancePath: '', key: 'bogus' },
    { document: { name: 'demo', limits: { brust: 1 } }, instancePath: '/limits', key: 'brust' },
    {
      document: { name: 'demo', tenants: [{ id: 'a', wieght: 2 }] },
      instancePath: '/tenants/0',
      key: 'wieght',
    },
    {
      document: { name: 'demo', backend: { kind: 'local', address: 'x' } },
      instancePath: '/backend',
      key: 'address',
    },
  ];
  for (const { document, instancePath, key } of cases) {
    assert.equal(validate(document), false, JSON.stringify(document));
    const unknown = validate.errors?.find((error) => error.keyword === 'additionalProperties');
    assert.equal(unknown?.instancePath, instancePath);
    assert.deepEqual(unknown?.params, { additionalProperty: key });
  }
  assert.equal(validate({ name: 'demo', global: {} }), false, 'global is only allowed with allowGlobal');
});

test('allowGlobal adds an open global object at the root', () => {
  const schema = toJsonSchema(Values, { allowGlobal: true });
  const validate = validator(schema);
  assert.ok(
    validate({ name: 'demo', global: { imageRegistry: 'r.example', nested: { any: true } } }),
    JSON.stringify(validate.errors),
  );
  assert.equal(validate({ name: 'demo', limits: { global: 1 } }), false, 'only the root gets global');
  assert.throws(
    () => toJsonSchema(z.object({ global: z.string() }).strict(), { allowGlobal: true }),
    /already defines a root `global` property/,
  );
});

test('a lookahead pattern throws naming the schema position, the values path and the pattern', () => {
  const schema = z
    .object({ outer: z.object({ inner: z.string().regex(/^(?!admin$)[a-z]+$/) }).strict() })
    .strict();
  assert.throws(
    () => toJsonSchema(schema),
    (error: unknown) => {
      assert.ok(error instanceof Re2PatternError);
      assert.match(error.message, /#\/properties\/outer\/properties\/inner\/pattern/);
      assert.match(error.message, /values path outer\.inner/);
      assert.match(error.message, /\^\(\?!admin\$\)\[a-z\]\+\$/);
      assert.match(error.message, /negative lookahead/);
      return true;
    },
  );
  const keyed = z.record(z.string().regex(/^(?<=x)y$/), z.string());
  assert.throws(
    () => toJsonSchema(z.object({ byKey: keyed }).strict()),
    /propertyNames\/pattern \(values path byKey\[<key>\]\).*lookbehind/,
  );
});

test('the RE2 scan finds each unportable construct and passes portable ones', () => {
  const unportable: [string, string][] = [
    ['a(?=b)', '(?='],
    ['a(?!b)', '(?!'],
    ['(?<=a)b', '(?<='],
    ['(?<!a)b', '(?<!'],
    ['(a)\\1', '\\1'],
    ['(?<x>a)\\k<x>', '(?<'],
    ['(?>ab)', '(?>'],
    ['a*+', '*+'],
    ['a{2}+', '}+'],
    ['\\u00e9', '\\u'],
    ['a{1001}', '{1001}'],
    ['[^]', '[^]'],
    ['\\e', '\\e'],
  ];
  for (const [pattern, construct] of unportable) {
    assert.deepEqual(
      findRe2Problems(pattern).map((problem) => problem.construct),
      construct === '(?<' ? ['(?<', '\\k<'] : [construct],
      pattern,
    );
  }
  const portable = [
    '\\\\1',
    '[(?=]',
    'a+?',
    '\\(?=',
    '[\\]a]',
    '\\d{2,4}',
    'a+',
    '(?:a|b)*',
    '(?i)abc',
    '\\x{e9}',
  ];
  for (const pattern of portable) assert.deepEqual(findRe2Problems(pattern), [], pattern);
  // zod's built-in formats export RE2-safe patterns.
  assert.doesNotThrow(() =>
    toJsonSchema(z.object({ a: z.email(), b: z.uuid(), c: z.ipv4(), d: z.iso.datetime() })),
  );
});

test('formats outside draft-07 are dropped and their pattern kept', () => {
  const properties = toJsonSchema(z.object({ a: z.email(), b: z.uuid() })).properties as Record<
    string,
    SchemaNode
  >;
  assert.equal(properties.a?.format, 'email');
  assert.equal(properties.b?.format, undefined);
  assert.equal(typeof properties.b?.pattern, 'string');
});

test('schemas with no closed self-contained form are refused', () => {
  type Node = { name: string; children: Node[] };
  const Tree: z.ZodType<Node> = z.lazy(() =>
    z.object({ name: z.string(), children: z.array(Tree) }).strict(),
  );
  assert.throws(() => toJsonSchema(Tree), /cannot export the zod schema as JSON Schema: Cycle detected/);
  assert.throws(() => toJsonSchema(z.string(), { allowGlobal: true }), /allowGlobal needs an object schema/);
});

function lint(
  helm: string,
  chart: string,
  args: readonly string[],
): { status: number | null; output: string } {
  const result = spawnSync(helm, ['lint', '--strict', chart, ...args], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('helm 3 and helm 4 lint --strict enforce the exported values schema', (t) => {
  const chart = mkdtempSync(join(tmpdir(), 'sluice-schema-chart-'));
  t.after(() => rmSync(chart, { recursive: true, force: true }));
  mkdirSync(join(chart, 'templates'));
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: sample\nversion: 0.1.0\n');
  writeFileSync(join(chart, 'values.yaml'), 'name: demo\nlimits:\n  burst: 10\n');
  writeFileSync(
    join(chart, 'values.schema.json'),
    `${JSON.stringify(toJsonSchema(Values, { allowGlobal: true }), null, 2)}\n`,
  );
  writeFileSync(
    join(chart, 'templates', 'configmap.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n',
  );
  const binaries = helmBinaries();
  assert.deepEqual(
    binaries.map((binary) => binary.major),
    [3, 4],
  );
  for (const { major, path } of binaries) {
    const good = lint(path, chart, ['--set', 'tenants[0].id=acme', '--set', 'contact=ops@example.com']);
    assert.equal(good.status, 0, `helm ${major}: ${good.output}`);
    const rootUnknown = lint(path, chart, ['--set', 'bogusKey=1']);
    assert.notEqual(rootUnknown.status, 0, `helm ${major} accepted an unknown root key`);
    assert.match(rootUnknown.output, /bogusKey/);
    const deepUnknown = lint(path, chart, ['--set', 'limits.brustKey=1']);
    assert.notEqual(deepUnknown.status, 0, `helm ${major} accepted an unknown nested key`);
    assert.match(deepUnknown.output, /brustKey/);
    assert.match(deepUnknown.output, /limits/);
    // Go compiles the exported patterns and applies them.
    const badPattern = lint(path, chart, ['--set', 'limits.window=soon']);
    assert.notEqual(badPattern.status, 0, `helm ${major} accepted a window that does not match the pattern`);
    const global = lint(path, chart, ['--set', 'global.foo=bar']);
    assert.equal(global.status, 0, `helm ${major}: ${global.output}`);
  }
});
