/**
 * Null values: Helm deletes a key set to null before it checks values.schema.json, so without a guard
 * `keepOnUninstall: null` would render a CRD that uninstall deletes. Each chart's generated
 * templates/values-guard.yaml refuses a missing defaulted key by path, on Helm 3 and Helm 4, where the
 * zod schema refuses the same null in typed authoring. With valid values it renders nothing.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { CHART_DEFINITIONS } from '../src/chart/charts.js';
import { renderValuesGuard } from '../src/chart/values-guard.js';
import { HELMS } from './support/helm.js';
import { helmTemplateRun } from './support/helm-refusal.js';

const CHARTS_DIRECTORY = resolve(import.meta.dirname, '..', '..', '..', 'charts');

/** One top-level and (where the chart has one) one nested defaulted key per chart, set to null. */
const NULLED: Readonly<Record<string, readonly { values: Record<string, unknown>; path: string }[]>> = {
  sluice: [
    { values: { agent: { logLevel: null } }, path: 'agent.logLevel' },
    { values: { controller: { ports: null } }, path: 'controller.ports' },
  ],
  'sluice-crds': [{ values: { keepOnUninstall: null }, path: 'keepOnUninstall' }],
  istioconfig: [{ values: { extAuthz: null }, path: 'extAuthz' }],
  'tenant-gateways': [{ values: { tenants: null }, path: 'tenants' }],
};

describe('values guard', () => {
  it('lists every defaulted key, parents before children', () => {
    for (const definition of CHART_DEFINITIONS) {
      const guard = renderValuesGuard(definition.valuesSchema, 'test');
      const checked = [...guard.matchAll(/hasKey \.Values((?:\.[A-Za-z0-9_]+)*) "([A-Za-z0-9_]+)"/g)].map(
        ([, parent, key]) => `${(parent ?? '').slice(1)}${parent ? '.' : ''}${key}`,
      );
      assert.ok(checked.length > 0, `${definition.name}: no key checked`);
      checked.forEach((path, index) => {
        const parent = path.split('.').slice(0, -1).join('.');
        if (parent !== '')
          assert.ok(checked.slice(0, index).includes(parent), `${definition.name}: ${path} before ${parent}`);
      });
    }
  });

  for (const helm of HELMS) {
    for (const definition of CHART_DEFINITIONS) {
      const cases = NULLED[definition.name];
      it(`Helm ${helm.major}: ${definition.name} refuses a null per defaulted key and renders defaults`, async () => {
        assert.ok(cases !== undefined && cases.length > 0, `no null cases for chart ${definition.name}`);
        const chart = resolve(CHARTS_DIRECTORY, definition.name);
        const fine = await helmTemplateRun(helm, chart, {});
        assert.equal(fine.code, 0, fine.stderr);
        assert.ok(!fine.stdout.includes('values-guard.yaml'), 'the guard renders nothing for valid values');
        for (const nulled of cases) {
          const typed = definition.valuesSchema.safeParse(nulled.values);
          assert.equal(typed.success, false, `zod accepts ${nulled.path}: null`);
          const run = await helmTemplateRun(helm, chart, nulled.values);
          assert.notEqual(run.code, 0, `${nulled.path}: null rendered`);
          assert.equal(run.stdout, '', `${nulled.path}: something was rendered`);
          assert.match(
            run.stderr,
            new RegExp(`values: ${nulled.path.replaceAll('.', '\\.')} is null or missing`),
          );
        }
      });
    }
  }
});
