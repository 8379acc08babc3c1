import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SLUICE_CHART_DEFINITION } from '../src/chart/charts.js';
import { SluicePlatform, type SluicePlatformProps } from '../src/constructs/platform/sluice-platform.js';
import { SluiceChartValuesSchema, AgentConfigSchema, ControllerConfigSchema } from '@sluice/spec';
import { parse } from 'yaml';
import { byKey, HELMS, helmTemplateBatch, synthesise, writeChart } from './support/helm.js';
import { arbitraryFor } from './support/zod-arbitrary.js';

/** The issue asks for at least 200 generated value sets; the seed keeps runs repeatable (override with FC_SEED). */
const RUNS = 200;
const SEED = Number(process.env.FC_SEED ?? 20261125);
/** Each batch is one `helm template` call with its own release and namespace. */
const RELEASES = [
  { release: 'sluice', namespace: 'sluice-system' },
  { release: 'edge', namespace: 'mesh-control' },
  { release: 'sluice-canary', namespace: 'canary' },
  { release: 'a-very-long-release-name-that-tests-truncation-rule', namespace: 'n' },
] as const;

const chart = writeChart(SLUICE_CHART_DEFINITION);
const samples = fc.sample(arbitraryFor(SluiceChartValuesSchema), { numRuns: RUNS, seed: SEED }) as Record<
  string,
  unknown
>[];
// Helm names an aliased subchart after its alias, so every batched case names the chart itself.
const cases: Record<string, unknown>[] = samples.map((values) => ({
  ...values,
  nameOverride: values.nameOverride ?? 'sluice',
}));

describe(`${RUNS} generated value sets (seed ${SEED})`, () => {
  it('are all valid for the zod schema, and vary what matters', () => {
    assert.equal(cases.length, RUNS);
    for (const values of cases)
      assert.ok(SluiceChartValuesSchema.safeParse(values).success, JSON.stringify(values));
    const agentOff = cases.filter(
      (values) => (values.agent as { enabled?: boolean } | undefined)?.enabled === false,
    ).length;
    const withRedisSecret = cases.filter(
      (values) =>
        (values.agent as { redis?: { existingSecret?: string } } | undefined)?.redis?.existingSecret !==
        undefined,
    ).length;
    assert.ok(agentOff > 10 && agentOff < 190, `agent disabled in ${agentOff} cases`);
    assert.ok(withRedisSecret > 10, `Redis secret in ${withRedisSecret} cases`);
    const count = (predicate: (values: Record<string, any>) => boolean) => cases.filter(predicate).length;
    const policies = count((values) => values.networkPolicy?.enabled === true);
    const leaders = count((values) => (values.controller?.replicas ?? 1) > 1);
    assert.ok(policies > 10 && policies < 190, `network policies in ${policies} cases`);
    assert.ok(leaders > 10, `leader election in ${leaders} cases`);
  });

  it('every generated config file is one the agent and the controller accept (their strict config schemas)', () => {
    let files = 0;
    for (const values of cases) {
      const objects = synthesise(
        (scope) => new SluicePlatform(scope, 'sluice', values as SluicePlatformProps),
      );
      for (const object of objects.filter((o) => o.kind === 'ConfigMap')) {
        const data = (object as unknown as { data: Record<string, string> }).data;
        for (const [file, text] of Object.entries(data)) {
          // The monitoring ConfigMap holds the Grafana dashboard, not a Sluice config file.
          if (file === 'sluice-dashboard.json') continue;
          const schema = file === 'agent.yaml' ? AgentConfigSchema : ControllerConfigSchema;
          const result = schema.safeParse(parse(text));
          assert.ok(result.success, `${file} of ${JSON.stringify(values)}: ${result.error?.message}`);
          files += 1;
        }
      }
    }
    assert.ok(files > RUNS / 2, `${files} config files checked`);
  });

  for (const helm of HELMS) {
    it(`helm ${helm.major} template equals synthesis for each`, async () => {
      const batchSize = Math.ceil(RUNS / RELEASES.length);
      let compared = 0;
      await Promise.all(
        RELEASES.map(async (target, batch) => {
          const slice = cases.slice(batch * batchSize, (batch + 1) * batchSize);
          const rendered = await helmTemplateBatch(helm, chart, 'sluice', slice, target);
          slice.forEach((values, index) => {
            const label = `case ${batch * batchSize + index}: ${JSON.stringify(values)}`;
            const synthesised = byKey(
              synthesise(
                (scope) =>
                  new SluicePlatform(scope, 'sluice', { ...target, ...(values as SluicePlatformProps) }),
              ),
            );
            const helmObjects = byKey(rendered[index] ?? []);
            assert.deepEqual([...helmObjects.keys()].sort(), [...synthesised.keys()].sort(), label);
            for (const [key, manifest] of synthesised)
              assert.deepEqual(helmObjects.get(key), manifest, `${label}\n${key}`);
            compared += 1;
          });
        }),
      );
      assert.equal(compared, RUNS);
    });
  }
});
