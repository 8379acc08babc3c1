import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoadResults, classifyResponse } from '../src/load-results.js';

describe('classifyResponse', () => {
  it("reads Sluice's decision header when present, else 429/503 as rejections", () => {
    assert.deepEqual(classifyResponse(200, undefined), { kind: 'admitted', status: 200 });
    assert.deepEqual(classifyResponse(500, undefined), { kind: 'admitted', status: 500 });
    assert.deepEqual(classifyResponse(429, undefined), { kind: 'rejected', status: 429 });
    assert.deepEqual(classifyResponse(503, undefined), { kind: 'rejected', status: 503 });
    // The proxy's own 503 for an unreachable upstream is an admitted request that failed.
    assert.deepEqual(classifyResponse(503, 'allowed'), { kind: 'admitted', status: 503 });
    assert.deepEqual(classifyResponse(403, 'failed-closed'), { kind: 'rejected', status: 403 });
  });
});

describe('LoadResults', () => {
  it('buckets by send second and totals per workload', () => {
    const results = new LoadResults(['guests']);
    results.offered('guests', 100);
    results.completed('guests', 100, { kind: 'admitted', status: 200 }, 40);
    results.offered('guests', 900);
    results.completed('guests', 900, { kind: 'admitted', status: 500 }, 60);
    results.offered('guests', 1200);
    results.completed('guests', 1200, { kind: 'rejected', status: 429 }, 1);
    results.offered('guests', 1300);
    results.completed('guests', 1300, { kind: 'failed', reason: 'network' }, 1);
    results.virtualUsers('guests', 1500, 3);
    const report = results.report()['guests'];
    assert.ok(report);
    assert.equal(report.offered, 4);
    assert.equal(report.admitted, 2);
    assert.equal(report.ok, 1);
    assert.equal(report.upstreamErrors, 1);
    assert.deepEqual(report.rejected, { '429': 1 });
    assert.equal(report.failed, 1);
    assert.equal(report.latency.p90Ms, 60);
    assert.deepEqual(
      report.perSecond.map((second) => [
        second.second,
        second.offered,
        second.admitted,
        second.rejected['429'] ?? 0,
        second.peakVirtualUsers,
      ]),
      [
        [0, 2, 2, 0, 0],
        [1, 2, 0, 1, 3],
      ],
    );
    assert.throws(() => results.offered('nobody', 0), /unknown workload "nobody"/);
  });
});
