import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FLUX_METER_BUCKETS_MS, FluxMeterHistogram } from '../src/access-log/flux-meter-histogram.js';

test('3 accepted OK flows of 40/60/120 ms: count 3, sum 220, le50=1, le100=2, le250=3 (acceptance check 16)', () => {
  const histogram = new FluxMeterHistogram('X', DEFAULT_FLUX_METER_BUCKETS_MS);
  const labels = {
    decision_type: 'accepted',
    status_code: '200',
    flow_status: 'OK',
    stalled: 'false',
  } as const;
  for (const latency of [40, 60, 120]) histogram.observe(labels, latency);
  const [series, ...rest] = histogram.drain();
  assert.equal(rest.length, 0);
  assert.ok(series);
  assert.equal(series.count, 3);
  assert.equal(series.latencySumMs, 220);
  const cumulative = (bound: number) => {
    const index = DEFAULT_FLUX_METER_BUCKETS_MS.indexOf(bound);
    return series.bucketCounts.slice(0, index + 1).reduce((a, b) => a + b, 0);
  };
  assert.deepEqual([cumulative(50), cumulative(100), cumulative(250)], [1, 2, 3]);
  assert.equal(series.bucketCounts.length, DEFAULT_FLUX_METER_BUCKETS_MS.length + 1);
  assert.deepEqual(histogram.drain(), [], 'drain resets');
});

test('series are split by decision, status, flow status and stalled; a bound is inclusive; overflow goes to +Inf', () => {
  const histogram = new FluxMeterHistogram('X', [10, 20]);
  histogram.observe(
    { decision_type: 'accepted', status_code: '200', flow_status: 'OK', stalled: 'false' },
    10,
  );
  histogram.observe(
    { decision_type: 'accepted', status_code: '504', flow_status: 'Error', stalled: 'false' },
    99,
  );
  histogram.observe(
    { decision_type: 'accepted', status_code: '504', flow_status: 'Error', stalled: 'true' },
    15,
  );
  histogram.observe(
    { decision_type: 'accepted', status_code: '504', flow_status: 'Error', stalled: 'true' },
    1000,
  );
  const series = histogram.drain();
  assert.deepEqual(
    series.map((s) => [s.labels.stalled, s.count, s.latencySumMs, s.bucketCounts]),
    [
      ['false', 1, 10, [1, 0, 0]],
      ['false', 1, 99, [0, 0, 1]],
      ['true', 2, 1015, [0, 1, 1]],
    ],
  );
});

test('bounds must ascend', () => {
  assert.throws(
    () => new FluxMeterHistogram('bad', [10, 10]),
    /flux meter bad: bucket bounds must be strictly ascending, got 10, 10/,
  );
});
