import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { z } from 'zod';
import {
  renderValuesTable,
  renderValuesYaml,
  valuesKeys,
  type ValuesKey,
} from '../src/chart/values-documentation.js';
import { SluiceChartValuesSchema, SluiceCrdsChartValuesSchema } from '@sluice/spec';

const SCHEMAS: readonly [string, z.ZodType][] = [
  ['sluice', SluiceChartValuesSchema],
  ['sluice-crds', SluiceCrdsChartValuesSchema],
];

function leaves(keys: readonly ValuesKey[]): ValuesKey[] {
  return keys.flatMap((key) => (key.children.length > 0 ? leaves(key.children) : [key]));
}

/** Kinds of zod node under a key, outermost first, down to the first non-wrapper. */
function wrappers(schema: z.ZodType): string[] {
  const kinds: string[] = [];
  let current: any = schema;
  for (;;) {
    const def = current._zod.def;
    kinds.push(def.type);
    if (!['optional', 'default', 'prefault', 'nullable'].includes(def.type)) return kinds;
    current = def.innerType;
  }
}

function objectDefaults(schema: z.ZodType, path: string): string[] {
  const kinds = wrappers(schema);
  const problems = kinds.includes('default') && kinds.at(-1) === 'object' ? [path] : [];
  let inner: any = schema;
  while (['optional', 'default', 'prefault', 'nullable'].includes(inner._zod.def.type))
    inner = inner._zod.def.innerType;
  if (inner._zod.def.type === 'object') {
    for (const [key, child] of Object.entries(inner._zod.def.shape as Record<string, z.ZodType>))
      problems.push(...objectDefaults(child, path ? `${path}.${key}` : key));
  }
  return problems;
}

for (const [name, schema] of SCHEMAS) {
  describe(`${name} values`, () => {
    it('values.yaml holds exactly the zod defaults, so Helm and typed synthesis start from the same values', () => {
      assert.deepEqual(parse(renderValuesYaml(schema, 'header'), { version: '1.1' }) ?? {}, schema.parse({}));
    });

    it('no object has a whole-object default: Helm merges values key by key, which zod matches only with leaf defaults', () => {
      assert.deepEqual(objectDefaults(schema, ''), []);
    });

    it('the README table lists every leaf key once', () => {
      const table = renderValuesTable(schema);
      const keys = leaves(valuesKeys(schema)).map((key) => key.path);
      assert.ok(keys.length > 0);
      for (const key of keys) assert.equal(table.split(`| \`${key}\` |`).length - 1, 1, key);
      assert.equal(table.split('\n').length, keys.length + 2);
    });
  });
}

describe('values documentation', () => {
  it('the sluice chart has 54 keys with defaults or unset markers', () => {
    const keys = leaves(valuesKeys(SluiceChartValuesSchema));
    assert.equal(keys.length, 54);
    assert.deepEqual(
      keys.filter((key) => !key.hasDefault).map((key) => key.path),
      [
        'nameOverride',
        'fullnameOverride',
        'agent.image.tag',
        'agent.defaultControlPoint',
        'agent.controllerAddress',
        'agent.redis.url',
        'agent.redis.existingSecret',
        'agent.recordKey.existingSecret',
        'controller.image.tag',
        'controller.apiToken.existingSecret',
        'monitoring.serviceMonitor.namespace',
        'monitoring.prometheusRule.namespace',
      ],
    );
  });

  it('a key without a description is refused', async () => {
    const { z } = await import('zod');
    assert.throws(
      () => valuesKeys(z.object({ documented: z.string().describe('yes'), bare: z.string() })),
      /values key bare has no description/,
    );
  });
});
