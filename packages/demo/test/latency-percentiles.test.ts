import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, summarizeLatencies } from '../src/latency-percentiles.js';

describe('latency percentiles', () => {
  it('uses nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    assert.equal(percentile(sorted, 0.5), 50);
    assert.equal(percentile(sorted, 0.9), 90);
    assert.equal(percentile(sorted, 0.99), 99);
    assert.equal(percentile(sorted, 1), 100);
    assert.equal(percentile([7], 0.5), 7);
  });

  it('summarises unsorted samples and reports NaN when empty', () => {
    assert.deepEqual(summarizeLatencies([30, 10, 20]), {
      count: 3,
      meanMs: 20,
      p50Ms: 20,
      p90Ms: 30,
      p99Ms: 30,
      maxMs: 30,
    });
    const empty = summarizeLatencies([]);
    assert.equal(empty.count, 0);
    assert.ok(Number.isNaN(empty.p90Ms));
  });
});
