import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UpstreamStats } from '../src/upstream-stats.js';

describe('UpstreamStats', () => {
  it('summarises per second and over a window of seconds, by completion time', () => {
    const stats = new UpstreamStats();
    stats.served({ atMs: 100, ok: true, latencyMs: 10, waitMs: 0 });
    stats.served({ atMs: 900, ok: false, latencyMs: 30, waitMs: 5 });
    stats.served({ atMs: 1500, ok: true, latencyMs: 50, waitMs: 20 });
    stats.served({ atMs: 2100, ok: true, latencyMs: 70, waitMs: 40 });
    assert.deepEqual(
      stats
        .perSecond()
        .map((second) => [second.second, second.servedOk, second.servedError, second.latency.p90Ms]),
      [
        [0, 1, 1, 30],
        [1, 1, 0, 50],
        [2, 1, 0, 70],
      ],
    );
    const window = stats.window(1, 3);
    assert.deepEqual(
      [window.servedOk, window.servedError, window.latency.count, window.latency.maxMs],
      [2, 0, 2, 70],
    );
    const total = stats.snapshot({ inService: 0, queueLength: 0, maxInService: 1 });
    assert.deepEqual(
      [total.servedOk, total.servedError, total.latency.count, total.queueWait.maxMs],
      [3, 1, 4, 40],
    );
  });
});
