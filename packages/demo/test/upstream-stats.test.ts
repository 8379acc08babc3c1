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
    const total = stats.snapshot({ inService: 0, queueLength: 0, maxInService: 1, stalling: 0 });
    assert.deepEqual(
      [total.servedOk, total.servedError, total.latency.count, total.queueWait.maxMs],
      [3, 1, 4, 40],
    );
  });

  it('counts overload failures (503 at once, stalls) at arrival, apart from the served requests and their latency', () => {
    const stats = new UpstreamStats();
    stats.served({ atMs: 100, ok: true, latencyMs: 10, waitMs: 0 });
    stats.failed({ atMs: 200, kind: 'rejected' });
    stats.failed({ atMs: 1200, kind: 'stalled' });
    stats.failed({ atMs: 1300, kind: 'stalled' });
    stats.failed({ atMs: 2500, kind: 'rejected' });
    assert.deepEqual(
      stats
        .perSecond()
        .map((second) => [second.second, second.servedOk, second.overloadRejected, second.stalled]),
      [
        [0, 1, 1, 0],
        [1, 0, 0, 2],
        [2, 0, 1, 0],
      ],
    );
    const window = stats.window(1, 3);
    assert.deepEqual(
      [window.servedOk, window.overloadRejected, window.stalled, window.latency.count],
      [0, 1, 2, 0],
    );
    const total = stats.snapshot({ inService: 0, queueLength: 0, maxInService: 1, stalling: 2 });
    assert.deepEqual(
      [total.servedOk, total.overloadRejected, total.stalled, total.stalling, total.latency.count],
      [1, 2, 2, 2, 1],
    );
  });
});
