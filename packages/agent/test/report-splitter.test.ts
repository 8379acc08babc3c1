import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentMessage, syncV1 } from '@sluice/spec';
import { agentSyncClientConstructor } from '@sluice/spec/protos';
import { splitReport } from '../src/controller-link/report-splitter.js';

const serialize = agentSyncClientConstructor().service.Connect.requestSerialize;
const sizeOf = (report: syncV1.Report) => serialize({ payload: 'report', report } as AgentMessage).length;

function report(controlPoints: number, service = 'svc'): syncV1.Report {
  return {
    sequence: 7,
    agent_time_ms: 1_700_000_000_000,
    interval_ms: 1000,
    flux_meters: [
      {
        flux_meter_name: 'meter',
        bucket_bounds_ms: [5, 10],
        series: [{ labels: { flow_status: 'OK' }, count: 3, latency_sum_ms: 12, bucket_counts: [1, 1, 1] }],
      },
    ],
    token_counters: [],
    control_points: Array.from({ length: controlPoints }, (_, i) => ({
      service,
      control_point: `cp-${i}`,
      type: 'CONTROL_POINT_TYPE_HTTP' as const,
    })),
  };
}

test('a report that fits is sent whole', () => {
  const whole = report(10);
  const split = splitReport(whole, 4096, sizeOf);
  assert.deepEqual(split.parts, [whole]);
  assert.deepEqual(split.dropped, []);
});

test('a report past the limit becomes parts that each fit and together hold every entry', () => {
  const whole = report(2000);
  assert.ok(sizeOf(whole) > 16_384);
  const split = splitReport(whole, 16_384, sizeOf);
  assert.ok(split.parts.length >= 3, `${split.parts.length} parts`);
  for (const part of split.parts) {
    assert.ok(sizeOf(part) <= 16_384 - 64, `part of ${sizeOf(part)} bytes`);
    assert.equal(part.interval_ms, 1000);
    assert.equal(part.agent_time_ms, 1_700_000_000_000);
  }
  assert.deepEqual(
    split.parts.flatMap((part) => part.control_points ?? []),
    whole.control_points,
  );
  assert.equal(split.parts.flatMap((part) => part.flux_meters ?? []).length, 1);
  assert.deepEqual(split.dropped, []);
});

test('an entry larger than a whole message is left out and counted; the rest still goes', () => {
  const whole = report(50);
  whole.control_points?.push({
    service: 'x'.repeat(20_000),
    control_point: 'huge',
    type: 'CONTROL_POINT_TYPE_HTTP',
  });
  const split = splitReport(whole, 8192, sizeOf);
  assert.deepEqual(split.dropped, [{ kind: 'control-point', count: 1 }]);
  assert.equal(split.parts.flatMap((part) => part.control_points ?? []).length, 50);
  for (const part of split.parts) assert.ok(sizeOf(part) <= 8192);
});
