import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, percentiles, ratio } from '../src/report/stats.js';
import { judge } from '../src/report/figures.js';

test('nearest-rank percentiles of unsorted samples', () => {
  const samples = Array.from({ length: 1000 }, (_, index) => 1000 - index);
  assert.deepEqual(percentiles(samples, [0.5, 0.99, 0.999, 1]), [500, 990, 999, 1000]);
  assert.deepEqual(percentiles([], [0.5]), [Number.NaN]);
});

test('the median of an even count is the mean of the middle two; NaN repeats are ignored', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([Number.NaN, 5]), 5);
  assert.ok(Number.isNaN(median([])));
});

test('a ratio without a positive denominator is NaN, and an unmeasured target is SKIP rather than MISS', () => {
  assert.equal(ratio(3, 2), 1.5);
  assert.ok(Number.isNaN(ratio(3, 0)));
  const base = { section: 's', name: 'n', comparison: 'at-most', limit: 1.5, unit: '×' } as const;
  assert.equal(judge({ ...base, measured: 1.5 }).verdict, 'PASS');
  assert.equal(judge({ ...base, measured: 1.51 }).verdict, 'MISS');
  assert.equal(judge({ ...base, measured: Number.NaN }).verdict, 'SKIP');
  assert.equal(judge({ ...base, comparison: 'at-least', measured: 1 }).verdict, 'MISS');
});
