import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessLogBudget } from '../src/access-log/access-log-budget.js';
import { AccessLogReceiver } from '../src/access-log/access-log-receiver.js';
import { encodeDecisionRecord, type DecisionRecord } from '../src/check/decision-record.js';
import { ComponentRegistry } from '../src/components/component-registry.js';
import { ControlPointRegistry } from '../src/control-points/control-point-registry.js';
import { AgentMetrics } from '../src/metrics/agent-metrics.js';
import { LocalBucketStore } from '../src/token-bucket/bucket-store-local.js';
import { accessLogExport } from './support/agent-harness.js';
import { fluxMeterConfig } from './support/compiled-components.js';
import { ManualClock } from './support/manual-clock.js';

function setup(options: { budgetPerSecond?: number } = {}) {
  const clock = new ManualClock(0);
  const registry = new ComponentRegistry({
    clock,
    agentGroup: 'default',
    localStore: new LocalBucketStore({ clock }),
  });
  registry.replaceAll([
    { policyName: 'policy', policyHash: 'hash-1', components: [fluxMeterConfig({ bucketsMs: [50, 100] })] },
  ]);
  const controlPoints = new ControlPointRegistry(clock);
  const metrics = new AgentMetrics({ processMetrics: false });
  return {
    registry,
    controlPoints,
    metrics,
    clock,
    receiver: new AccessLogReceiver(
      registry,
      controlPoints,
      metrics,
      options.budgetPerSecond === undefined
        ? {}
        : { budget: new AccessLogBudget({ clock, recordsPerSecond: options.budgetPerSecond }) },
    ),
  };
}

const decision = (overrides: Partial<DecisionRecord> = {}): string =>
  encodeDecisionRecord({
    v: 1,
    controlPoint: 'ingress',
    services: ['svc'],
    decision: 'accepted',
    components: [],
    fluxMeters: [{ policyName: 'policy', name: 'policy' }],
    labels: {},
    startedAtMs: 0,
    processingMs: 0,
    ...overrides,
  });

test('observes latency into the meter named in the decision, with the meter\u2019s own buckets, and records the control point', () => {
  const { receiver, registry, controlPoints } = setup();
  const tally = receiver.receive(
    accessLogExport({
      'aperture.check_response': decision(),
      'http.status_code': '503',
      RESPONSE_DURATION: '90',
      authz_duration: '10',
    }),
  );
  assert.deepEqual(tally, { flows: 1, noDecision: 0, malformed: 0, dropped: 0 });
  const [series] = registry.fluxMeter('policy', 'policy')?.drain() ?? [];
  assert.deepEqual(series, {
    labels: { decision_type: 'accepted', status_code: '503', flow_status: 'Error', stalled: 'false' },
    count: 1,
    latencySumMs: 80,
    bucketCounts: [0, 1, 0],
  });
  assert.deepEqual(controlPoints.list(), [{ controlPoint: 'ingress', service: 'svc', type: 'http' }]);
});

test('a stalled flow (RESPONSE_DURATION -, DURATION set) is observed at DURATION − ext_authz duration in a stalled series, on /metrics too', async () => {
  const { receiver, registry, metrics } = setup();
  const stalled = {
    'aperture.check_response': decision(),
    'http.status_code': '504',
    RESPONSE_DURATION: '-',
    DURATION: '1012',
    authz_duration: '12',
  };
  receiver.receive(accessLogExport(stalled));
  receiver.receive(accessLogExport({ ...stalled, DURATION: '2012' }));
  receiver.receive(
    accessLogExport({ ...stalled, 'http.status_code': '200', RESPONSE_DURATION: '60', DURATION: '61' }),
  );
  const series = registry.fluxMeter('policy', 'policy')?.drain() ?? [];
  assert.deepEqual(
    series.map((s) => [s.labels, s.count, s.latencySumMs]),
    [
      [{ decision_type: 'accepted', status_code: '504', flow_status: 'Error', stalled: 'true' }, 2, 3000],
      [{ decision_type: 'accepted', status_code: '200', flow_status: 'OK', stalled: 'false' }, 1, 48],
    ],
  );
  const counts = (await metrics.fluxMeter.get()).values
    .filter((v) => v.metricName === 'sluice_agent_flux_meter_ms_count')
    .map((v) => `${String(v.labels.stalled)}:${String(v.labels.http_status_code)}=${v.value}`)
    .sort();
  assert.deepEqual(counts, ['false:200=1', 'true:504=2']);
});

test('flows the meter cannot observe are counted by reason, never observed', async () => {
  const { receiver, registry, metrics } = setup();
  receiver.receive(
    accessLogExport({
      'aperture.check_response': decision({ decision: 'rejected' }),
      'http.status_code': '429',
      RESPONSE_DURATION: '1',
    }),
  );
  receiver.receive(
    accessLogExport({ 'aperture.check_response': decision(), RESPONSE_DURATION: '5', authz_duration: '9' }),
  );
  receiver.receive(
    accessLogExport({
      'aperture.check_response': decision({ fluxMeters: [{ policyName: 'gone', name: 'gone' }] }),
      RESPONSE_DURATION: '5',
      authz_duration: '1',
    }),
  );
  assert.deepEqual(registry.fluxMeter('policy', 'policy')?.drain(), []);
  const reasons = (await metrics.fluxMeterInvalid.get()).values
    .map((v) => `${String(v.labels.flux_meter_name)}:${String(v.labels.reason)}=${v.value}`)
    .sort();
  assert.deepEqual(reasons, [
    'gone:meter-removed=1',
    'policy:negative-latency=1',
    'policy:no-authz-duration=1',
  ]);
});

test('a batch with good, unauthorised and malformed records keeps the good ones', () => {
  const { receiver } = setup();
  const batch = accessLogExport({
    'aperture.check_response': decision(),
    RESPONSE_DURATION: '20',
    authz_duration: '5',
  });
  const logs = batch.resource_logs[0]?.scope_logs[0]?.log_records ?? [];
  logs.push({
    body: { string_value: 'GET' },
    attributes: [{ key: 'aperture.check_response', value: { string_value: '-' } }],
  });
  logs.push({
    body: { string_value: 'GET' },
    attributes: [{ key: 'aperture.check_response', value: { string_value: '%%%' } }],
  });
  assert.deepEqual(receiver.receive(batch), { flows: 1, noDecision: 1, malformed: 1, dropped: 0 });
  assert.deepEqual(receiver.receive({}), { flows: 0, noDecision: 0, malformed: 0, dropped: 0 });
});

test('records past the budget are dropped unread and counted; the budget refills with time', async () => {
  const { receiver, registry, metrics, clock } = setup({ budgetPerSecond: 3 });
  const batch = accessLogExport({
    'aperture.check_response': decision(),
    RESPONSE_DURATION: '20',
    authz_duration: '5',
  });
  const logs = batch.resource_logs[0]?.scope_logs[0]?.log_records ?? [];
  const [record] = logs;
  assert.ok(record);
  // Five records, the last one malformed: past the budget it is dropped, never read.
  logs.push(record, record, record, {
    body: { string_value: 'GET' },
    attributes: [{ key: 'aperture.check_response', value: { string_value: '%%%' } }],
  });
  assert.deepEqual(receiver.receive(batch), { flows: 3, noDecision: 0, malformed: 0, dropped: 2 });
  assert.equal(registry.fluxMeter('policy', 'policy')?.drain()[0]?.count, 3);
  assert.deepEqual(receiver.receive(batch), { flows: 0, noDecision: 0, malformed: 0, dropped: 5 });
  clock.advance(1_000);
  assert.deepEqual(receiver.receive(batch), { flows: 3, noDecision: 0, malformed: 0, dropped: 2 });
  const text = await metrics.registry.metrics();
  assert.match(text, /^sluice_agent_access_log_records_dropped_total 9$/m);
  assert.match(text, /^sluice_agent_access_log_records_total\{outcome="flow"\} 6$/m);
});
