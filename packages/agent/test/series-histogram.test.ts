import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { SeriesHistogram } from '../src/metrics/series-histogram.js';

const LABELS = ['workload', 'decision'] as const;
type Label = (typeof LABELS)[number];
const BUCKETS = [0.001, 0.01, 0.1, 1, 10];

const labelValue = fc.constantFrom('guests', 'subscribers', 'with "quotes"', 'back\\slash', '');
const operation = fc.record({
  // Plain objects, as callers pass them (fast-check's have no prototype).
  labels: fc
    .record({ workload: labelValue, decision: labelValue }, { requiredKeys: ['workload'] })
    .map((labels) => ({ ...labels })),
  // Values on the bounds, between them, below the first and above the last.
  value: fc.oneof(
    fc.constantFrom(0, ...BUCKETS),
    fc.double({ min: -5, max: 50, noNaN: true, noDefaultInfinity: true }),
  ),
  viaSeries: fc.boolean(),
});

function pair(labelNames: readonly Label[] = LABELS) {
  const registries = [new Registry(), new Registry()];
  const config = { name: 'sluice_test_seconds', help: 'Test histogram.', labelNames, buckets: BUCKETS };
  return {
    reference: new Histogram<Label>({ ...config, registers: [registries[0] as Registry] }),
    subject: new SeriesHistogram<Label>({ ...config, registers: [registries[1] as Registry] }),
    registries,
  };
}

test('any sequence of observations gives the Prometheus text and get() of a prom-client Histogram', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(operation, { maxLength: 40 }), async (operations) => {
      const { reference, subject, registries } = pair();
      for (const { labels, value, viaSeries } of operations) {
        reference.observe(labels, value);
        if (viaSeries) subject.series(labels).observe(value);
        else subject.observe(labels, value);
      }
      assert.equal(await registries[1]?.metrics(), await registries[0]?.metrics());
      assert.deepEqual(await subject.get(), await reference.get());
    }),
    { seed: 20_251_125, numRuns: 300 },
  );
});

test('an unlabelled histogram is exported, all zero, before its first observation', async () => {
  const { reference, subject, registries } = pair([]);
  assert.equal(await registries[1]?.metrics(), await registries[0]?.metrics());
  reference.observe(0.5);
  subject.observe(0.5);
  assert.equal(await registries[1]?.metrics(), await registries[0]?.metrics());
});

test('reset hides every series; a series held across it starts again from zero', async () => {
  const { subject } = pair();
  const held = subject.series({ workload: 'guests' });
  held.observe(0.5);
  subject.reset();
  assert.deepEqual((await subject.get()).values, []);
  held.observe(20);
  const values = (await subject.get()).values;
  assert.deepEqual(
    values.map((sample) => [sample.metricName, sample.labels.le, sample.value]),
    [
      ...BUCKETS.map((bound) => ['sluice_test_seconds_bucket', bound, 0]),
      ['sluice_test_seconds_bucket', '+Inf', 1],
      ['sluice_test_seconds_sum', undefined, 20],
      ['sluice_test_seconds_count', undefined, 1],
    ],
  );
});

test('non-finite values, unknown labels and a label named le are refused with prom-client’s messages', () => {
  const { subject } = pair();
  assert.throws(() => subject.observe({ workload: 'w' }, NaN), /Value is not a valid number: NaN/);
  assert.throws(
    () => subject.observe({ workload: 'w', le: '1' } as never, 1),
    /Added label "le" is not included in initial labelset/,
  );
  assert.throws(
    () => new SeriesHistogram({ name: 'x', help: 'x', labelNames: ['le'], buckets: [1], registers: [] }),
    /le is a reserved label keyword/,
  );
});

test('past maxSeries observations of new label sets are counted as overflow, not exported', async () => {
  const registry = new Registry();
  let overflows = 0;
  const histogram = new SeriesHistogram({
    name: 'sluice_test_capped_ms',
    help: 'Capped.',
    labelNames: ['flux_meter_name'] as const,
    buckets: [1, 10],
    registers: [registry],
    maxSeries: 50,
    overflow: { overflowed: () => overflows++ },
  });
  for (let i = 0; i < 1000; i++) histogram.observe({ flux_meter_name: `m-${i}` }, 5);
  assert.equal(histogram.seriesCount, 50);
  assert.equal(overflows, 950);
  const text = await registry.metrics();
  assert.equal(text.split('\n').filter((line) => line.startsWith('sluice_test_capped_ms_count{')).length, 50);
});
