import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Counter, Registry } from 'prom-client';
import { SeriesCounter } from '../src/metrics/series-counter.js';

const LABELS = ['policy_name', 'decision'] as const;
type Label = (typeof LABELS)[number];

/** A label value from a small set (so series repeat) that includes characters the text format escapes. */
const labelValue = fc.constantFrom('a', 'b', 'with "quotes"', 'back\\slash', 'new\nline', '', 'ünï');
const operation = fc.record({
  // Plain objects, as callers pass them (fast-check's have no prototype).
  labels: fc
    .record({ policy_name: labelValue, decision: labelValue }, { requiredKeys: ['policy_name'] })
    .map((labels) => ({ ...labels })),
  amount: fc.option(fc.oneof(fc.nat(1000), fc.double({ min: 0, max: 1e6, noNaN: true })), {
    nil: undefined,
  }),
  viaSeries: fc.boolean(),
});

function pair(): { reference: Counter<Label>; subject: SeriesCounter<Label>; registries: Registry[] } {
  const registries = [new Registry(), new Registry()];
  const config = { name: 'sluice_test_total', help: 'Test counter.', labelNames: LABELS };
  return {
    reference: new Counter({ ...config, registers: [registries[0] as Registry] }),
    subject: new SeriesCounter({ ...config, registers: [registries[1] as Registry] }),
    registries,
  };
}

test('any sequence of increments gives the Prometheus text and get() of a prom-client Counter', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(operation, { maxLength: 40 }), async (operations) => {
      const { reference, subject, registries } = pair();
      for (const { labels, amount, viaSeries } of operations) {
        reference.inc(labels, amount);
        if (viaSeries) subject.series(labels).inc(amount);
        else subject.inc(labels, amount);
      }
      assert.equal(await registries[1]?.metrics(), await registries[0]?.metrics());
      assert.deepEqual(await subject.get(), await reference.get());
    }),
    { seed: 20_251_125, numRuns: 300 },
  );
});

test('a series is exported from its first increment, zero included, and not before', async () => {
  const { subject } = pair();
  const held = subject.series({ policy_name: 'p', decision: 'accepted' });
  assert.deepEqual((await subject.get()).values, []);
  held.inc(0);
  assert.deepEqual((await subject.get()).values, [
    { value: 0, labels: { policy_name: 'p', decision: 'accepted' } },
  ]);
});

test('reset zeroes and hides every series; a series held across it keeps counting', async () => {
  const { subject } = pair();
  const held = subject.series({ policy_name: 'p' });
  held.inc(5);
  subject.reset();
  assert.deepEqual((await subject.get()).values, []);
  held.inc(2);
  assert.deepEqual((await subject.get()).values, [{ value: 2, labels: { policy_name: 'p' } }]);
});

test('an unlabelled counter is exported at 0 before its first increment, as prom-client does', async () => {
  const registries = [new Registry(), new Registry()];
  new Counter({ name: 'sluice_plain_total', help: 'Plain.', registers: [registries[0] as Registry] });
  const subject = new SeriesCounter({
    name: 'sluice_plain_total',
    help: 'Plain.',
    registers: [registries[1] as Registry],
  });
  assert.equal(await registries[1]?.metrics(), await registries[0]?.metrics());
  subject.inc();
  subject.inc(2);
  assert.match((await registries[1]?.metrics()) ?? '', /^sluice_plain_total 3$/m);
});

test('bad labels and amounts are refused with prom-client’s messages', () => {
  const { subject } = pair();
  assert.throws(
    () => subject.inc({ policy_name: 'p', bogus: 'x' } as never),
    /Added label "bogus" is not included in initial labelset: \["policy_name","decision"\]/,
  );
  assert.throws(() => subject.inc({ policy_name: 'p' }, -1), /It is not possible to decrease a counter/);
  assert.throws(
    () => subject.series({ policy_name: 'p' }).inc(Infinity),
    /Value is not a valid number: Infinity/,
  );
  assert.throws(
    () => new SeriesCounter({ name: 'bad-name', help: 'x', registers: [] }),
    /Invalid metric name: bad-name/,
  );
  assert.throws(
    () => new SeriesCounter({ name: 'ok', help: 'x', labelNames: ['bad-label'], registers: [] }),
    /Invalid label name: bad-label/,
  );
});

test('the same label values give the same series object, whatever the key order', () => {
  const { subject } = pair();
  assert.equal(
    subject.series({ policy_name: 'p', decision: 'd' }),
    subject.series({ decision: 'd', policy_name: 'p' }),
  );
  assert.notEqual(subject.series({ policy_name: 'p' }), subject.series({ policy_name: 'p', decision: '' }));
});

test('past maxSeries a new label set is neither exported nor held, and each update is counted as overflow', async () => {
  const registry = new Registry();
  const overflowed: string[] = [];
  const counter = new SeriesCounter({
    name: 'sluice_test_capped_total',
    help: 'Capped.',
    labelNames: ['control_point'] as const,
    registers: [registry],
    maxSeries: 100,
    overflow: { overflowed: (metric) => overflowed.push(metric) },
  });
  for (let i = 0; i < 20_000; i++) counter.inc({ control_point: `cp-${i}` });
  // Known series keep counting past the cap.
  counter.inc({ control_point: 'cp-0' }, 5);
  assert.equal(counter.seriesCount, 100);
  const text = await registry.metrics();
  assert.equal(text.split('\n').filter((line) => line.startsWith('sluice_test_capped_total{')).length, 100);
  assert.match(text, /sluice_test_capped_total\{control_point="cp-0"\} 6/);
  assert.doesNotMatch(text, /cp-100"/);
  assert.equal(overflowed.length, 19_900);
  assert.deepEqual(new Set(overflowed), new Set(['sluice_test_capped_total']));
});

test('limitSeries caps a metric built without a cap', () => {
  const counter = new SeriesCounter({
    name: 'sluice_test_late_cap_total',
    help: 'Late cap.',
    labelNames: ['k'] as const,
    registers: [new Registry()],
  });
  let overflows = 0;
  counter.limitSeries({ maxSeries: 3, overflow: { overflowed: () => overflows++ } });
  for (let i = 0; i < 10; i++) counter.series({ k: String(i) }).inc();
  assert.equal(counter.seriesCount, 3);
  assert.equal(overflows, 7);
});
