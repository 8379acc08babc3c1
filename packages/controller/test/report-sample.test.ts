import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleForLoop } from '../src/control/report-sample.js';

const loop = { policyName: 'p', componentId: 'ingress', fluxMeterName: 'p/ingress' };

describe('sampleForLoop', () => {
  it('takes latency from admitted OK flows only, completions from admitted flows of any status, tokens from its own counters', () => {
    const sample = sampleForLoop(
      {
        flux_meters: [
          {
            flux_meter_name: 'p/ingress',
            series: [
              {
                labels: { decision_type: 'accepted', flow_status: 'OK', status_code: '200' },
                count: 10,
                latency_sum_ms: 500,
              },
              {
                labels: { decision_type: 'accepted', flow_status: 'Error', status_code: '500' },
                count: 2,
                latency_sum_ms: 4000,
              },
              {
                labels: { decision_type: 'rejected', flow_status: 'Error', status_code: '503' },
                count: 5,
                latency_sum_ms: 0,
              },
            ],
          },
          {
            flux_meter_name: 'other',
            series: [
              { labels: { decision_type: 'accepted', flow_status: 'OK' }, count: 99, latency_sum_ms: 99_000 },
            ],
          },
        ],
        token_counters: [
          {
            policy_name: 'p',
            component_id: 'ingress',
            workloads: [
              { incoming_tokens: 17, accepted_tokens: 12, rejected_tokens: 5 },
              { incoming_tokens: 3, accepted_tokens: 3 },
            ],
          },
          {
            policy_name: 'p',
            component_id: 'egress',
            workloads: [{ incoming_tokens: 1000, accepted_tokens: 0, rejected_tokens: 1000 }],
          },
        ],
      },
      loop,
    );
    assert.deepEqual(sample, {
      okCount: 10,
      okLatencySumMs: 500,
      completedCount: 12,
      stalledCount: 0,
      stalledLatencySumMs: 0,
      failedCount: 2,
      incomingTokens: 20,
      acceptedTokens: 15,
      rejectedTokens: 5,
      reportCount: 1,
    });
  });

  it('counts stalled flows apart (not completions, not OK latency) and server failures (5xx, no status, stalled) but not 4xx', () => {
    const series = (labels: Record<string, string>, count: number, latency_sum_ms: number) => ({
      labels: { decision_type: 'accepted', stalled: 'false', ...labels },
      count,
      latency_sum_ms,
    });
    const sample = sampleForLoop(
      {
        flux_meters: [
          {
            flux_meter_name: 'p/ingress',
            series: [
              series({ flow_status: 'OK', status_code: '200' }, 20, 1000),
              series({ flow_status: 'Error', status_code: '504', stalled: 'true' }, 3, 3000),
              series({ flow_status: 'Error', status_code: '', stalled: 'true' }, 1, 900),
              series({ flow_status: 'Error', status_code: '503' }, 4, 8),
              series({ flow_status: 'Error', status_code: '' }, 1, 2),
              series({ flow_status: 'Error', status_code: '404' }, 7, 70),
              series({ flow_status: 'Error', status_code: '429' }, 2, 20),
            ],
          },
        ],
      },
      loop,
    );
    assert.ok(sample);
    assert.deepEqual(
      [
        sample.okCount,
        sample.okLatencySumMs,
        sample.completedCount,
        sample.stalledCount,
        sample.stalledLatencySumMs,
        sample.failedCount,
      ],
      [20, 1000, 20 + 4 + 1 + 7 + 2, 4, 3900, 3 + 1 + 4 + 1],
    );
  });

  it('returns undefined for a report that says nothing about the loop (so it cannot mask silence)', () => {
    assert.equal(
      sampleForLoop({ flux_meters: [{ flux_meter_name: 'other', series: [] }], token_counters: [] }, loop),
      undefined,
    );
  });

  it('ignores negative and non-finite counts from a confused agent', () => {
    const sample = sampleForLoop(
      {
        flux_meters: [
          {
            flux_meter_name: 'p/ingress',
            series: [{ labels: { flow_status: 'OK' }, count: -5, latency_sum_ms: Number.NaN }],
          },
        ],
      },
      loop,
    );
    assert.deepEqual(sample, {
      okCount: 0,
      okLatencySumMs: 0,
      completedCount: 0,
      stalledCount: 0,
      stalledLatencySumMs: 0,
      failedCount: 0,
      incomingTokens: 0,
      acceptedTokens: 0,
      rejectedTokens: 0,
      reportCount: 1,
    });
  });
});
