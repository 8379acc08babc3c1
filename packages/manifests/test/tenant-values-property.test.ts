import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { z } from 'zod';
import { TENANT_GATEWAYS_CHART_DEFINITION } from '../src/chart/tenant-gateways-chart.js';
import { TenantGateways, type TenantGatewaysProps } from '../src/constructs/tenants/tenant-gateways.js';
import { TenantGatewaysValuesSchema, TenantSchema } from '@sluice/spec';
import { byKey, HELMS, helmTemplateBatch, helmTemplateText, synthesise, writeChart } from './support/helm.js';
import { arbitraryFor } from './support/zod-arbitrary.js';

const RUNS = 200;
const SEED = Number(process.env.FC_SEED ?? 20261125);
const RELEASE = { release: 'tenants', namespace: 'sluice-system' } as const;

const shapeOf = (schema: z.ZodType) =>
  (schema as unknown as { _zod: { def: { shape: Record<string, z.ZodType> } } })._zod.def.shape;

/** Tenant names and hosts come from small pools, so duplicates and shared hosts are drawn as often as not. */
const tenantModel: Record<string, fc.Arbitrary<unknown>> = {
  ...Object.fromEntries(
    Object.entries(shapeOf(TenantSchema))
      .filter(([key]) => !['name', 'hosts', 'gatewaySelector'].includes(key))
      .map(([key, schema]) => [key, arbitraryFor(schema)]),
  ),
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/),
  hosts: fc.array(fc.stringMatching(/^(\*\.)?[a-z0-9]{1,12}\.(example\.com|shop\.io)$/), {
    minLength: 1,
    maxLength: 3,
  }),
  gatewaySelector: fc.dictionary(
    fc.stringMatching(/^[a-z][a-z0-9.]{0,10}$/),
    fc.stringMatching(/^[a-z0-9]{0,8}$/),
    { minKeys: 1, maxKeys: 2 },
  ),
};
const tenant = fc.record(tenantModel, { requiredKeys: ['name', 'hosts', 'backend'] });
const topLevel = Object.fromEntries(
  Object.entries(shapeOf(TenantGatewaysValuesSchema)).map(([key, schema]) => [
    key,
    key === 'tenants' ? fc.array(tenant, { maxLength: 4 }) : arbitraryFor(schema),
  ]),
);
const values = fc.record(topLevel, { requiredKeys: [] });

const chart = writeChart(TENANT_GATEWAYS_CHART_DEFINITION);
const isValid = (sample: Record<string, any>) => TenantGatewaysValuesSchema.safeParse(sample).success;
const drawn = fc.sample(values, { numRuns: RUNS * 4, seed: SEED }) as Record<string, any>[];
const samples = drawn.filter(isValid).slice(0, RUNS);
/** Draws refused only by the schema's refinements (duplicates, an issuer without e-mail): the chart must refuse them too. */
const refinedAway = drawn
  .map((sample) => ({ sample, result: TenantGatewaysValuesSchema.safeParse(sample) }))
  .filter(({ result }) => !result.success && result.error.issues.every((issue) => issue.code === 'custom'))
  .slice(0, 10);

describe(`${RUNS} generated tenant-gateways value sets (seed ${SEED})`, () => {
  it('are valid and vary what matters', () => {
    assert.equal(samples.length, RUNS);
    const count = (predicate: (v: Record<string, any>) => boolean) => samples.filter(predicate).length;
    assert.ok(count((v) => (v.tenants?.length ?? 0) >= 2) > 40, 'several tenants');
    assert.ok(count((v) => v.gatewayApi?.enabled === true) > 30, 'Gateway API');
    assert.ok(count((v) => v.clusterIssuer?.create === true) > 30, 'ClusterIssuer');
  });

  for (const helm of HELMS) {
    it(`helm ${helm.major} template equals synthesis for each`, async () => {
      const rendered = await helmTemplateBatch(helm, chart, 'tenant-gateways', samples, RELEASE);
      samples.forEach((sample, index) => {
        const label = `case ${index}: ${JSON.stringify(sample)}`;
        const synthesised = byKey(
          synthesise(
            (scope) =>
              new TenantGateways(scope, 'tenants', {
                release: RELEASE.release,
                ...(sample as TenantGatewaysProps),
              }),
          ),
        );
        // Cases share a cluster-scoped name space only for ClusterIssuers; the batch keeps each case's objects apart.
        const helmObjects = byKey(rendered[index] ?? []);
        assert.deepEqual([...helmObjects.keys()].sort(), [...synthesised.keys()].sort(), label);
        for (const [key, manifest] of synthesised)
          assert.deepEqual(helmObjects.get(key), manifest, `${label}\n${key}`);
      });
    });
  }

  it(`values refused by the schema's refinements (${refinedAway.length} drawn) are refused by both Helms with the same words`, async () => {
    assert.ok(refinedAway.length >= 5, `only ${refinedAway.length} refused draws`);
    for (const { sample, result } of refinedAway) {
      const messages = (result.error?.issues ?? []).map((issue) => issue.message);
      assert.throws(() =>
        synthesise((scope) => new TenantGateways(scope, 'tenants', sample as TenantGatewaysProps)),
      );
      for (const helm of HELMS) {
        await assert.rejects(
          helmTemplateText(helm, chart, { ...RELEASE, values: sample }),
          (error: Error) => {
            assert.ok(
              messages.some((message) => error.message.includes(message)),
              `helm ${helm.major} said ${error.message}\nzod said ${messages.join(' | ')}`,
            );
            return true;
          },
        );
      }
    }
  });
});
