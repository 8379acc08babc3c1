import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessLogReceiver } from '../src/access-log/access-log-receiver.js';
import { PeerLogBudget } from '../src/access-log/peer-log-budget.js';
import { RecordVerifier } from '../src/access-log/record-verifier.js';
import { encodeDecisionRecord, type DecisionRecordV1 } from '../src/check/decision-record.js';
import { ComponentRegistry } from '../src/components/component-registry.js';
import { ControlPointRegistry } from '../src/control-points/control-point-registry.js';
import { AgentMetrics } from '../src/metrics/agent-metrics.js';
import { RecordKeyRing } from '../src/record-key/record-key-ring.js';
import { LocalBucketStore } from '../src/token-bucket/bucket-store-local.js';
import { accessLogExport } from './support/agent-harness.js';
import { fluxMeterConfig } from './support/compiled-components.js';
import { ManualClock } from '@sluice/clock/manual';
import { RecordSigner } from './support/record-signer.js';

function setup(options: { budgetPerSecond?: number } = {}) {
  const clock = new ManualClock();
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
        : { budget: new PeerLogBudget({ clock, recordsPerSecond: options.budgetPerSecond }) },
    ),
  };
}

const decision = (overrides: Partial<DecisionRecordV1> = {}): string =>
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
  assert.deepEqual(tally, { flows: 1, noDecision: 0, malformed: 0, refused: 0, dropped: 0 });
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

test('flows the meter cannot observe are counted by reason, never observed; unknown names fold into other', async () => {
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
    'other:meter-removed=1',
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
  assert.deepEqual(receiver.receive(batch), {
    flows: 1,
    noDecision: 1,
    malformed: 1,
    refused: 0,
    dropped: 0,
  });
  assert.deepEqual(receiver.receive({}), { flows: 0, noDecision: 0, malformed: 0, refused: 0, dropped: 0 });
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
  assert.deepEqual(receiver.receive(batch), {
    flows: 3,
    noDecision: 0,
    malformed: 0,
    refused: 0,
    dropped: 2,
  });
  assert.equal(registry.fluxMeter('policy', 'policy')?.drain()[0]?.count, 3);
  assert.deepEqual(receiver.receive(batch), {
    flows: 0,
    noDecision: 0,
    malformed: 0,
    refused: 0,
    dropped: 5,
  });
  clock.advance(1_000);
  assert.deepEqual(receiver.receive(batch), {
    flows: 3,
    noDecision: 0,
    malformed: 0,
    refused: 0,
    dropped: 2,
  });
  const text = await metrics.registry.metrics();
  assert.match(text, /^sluice_agent_access_log_records_dropped_total 9$/m);
  assert.match(text, /^sluice_agent_access_log_records_total\{outcome="flow"\} 6$/m);
});

test('10,000 made-up flux-meter names in records become no label values: they fold into other', async () => {
  const { receiver, metrics } = setup();
  for (let i = 0; i < 100; i++)
    receiver.receive(
      accessLogExport({
        'aperture.check_response': decision({
          fluxMeters: Array.from({ length: 100 }, (_, j) => ({
            policyName: j % 2 === 0 ? 'policy' : `attacker-policy-${i}-${j}`,
            name: `attacker-meter-${i}-${j}`,
          })),
        }),
        RESPONSE_DURATION: '5',
        authz_duration: '1',
      }),
    );
  const series = (await metrics.fluxMeterInvalid.get()).values.map(
    (sample) =>
      `${String(sample.labels.policy_name)}/${String(sample.labels.flux_meter_name)}=${sample.value}`,
  );
  assert.deepEqual(series.sort(), ['other/other=5000', 'policy/other=5000']);
});

/** A receiver that verifies records signed for peers, with the agent's budget shared among senders. */
function verifyingSetup(budget?: { recordsPerSecond: number }) {
  const base = setup();
  const signer = new RecordSigner();
  const wall = { now: Date.now() };
  const receiver = new AccessLogReceiver(base.registry, base.controlPoints, base.metrics, {
    verifier: new RecordVerifier({
      keys: new RecordKeyRing(signer.key),
      wallClockMs: () => wall.now,
      acceptV1Records: false,
      maxRecordAgeMs: 300_000,
    }),
    ...(budget === undefined
      ? {}
      : { budget: new PeerLogBudget({ clock: base.clock, recordsPerSecond: budget.recordsPerSecond }) }),
  });
  /** An Export of `count` records of one flow each: fresh records signed for `checkPeer`. */
  const flows = (count: number, checkPeer: string, durations: Record<string, string>, encoded?: string) => {
    const batch = accessLogExport({
      'aperture.check_response': encoded ?? signer.sign({ startedAtMs: wall.now - 1_000 }, checkPeer),
      'http.status_code': '200',
      ...durations,
    });
    const logs = batch.resource_logs[0]?.scope_logs[0]?.log_records ?? [];
    const [first] = logs;
    for (let i = 1; i < count && first !== undefined; i++)
      logs.push({
        ...first,
        attributes: first.attributes.map((attribute) =>
          attribute.key === 'aperture.check_response'
            ? {
                key: attribute.key,
                value: { string_value: encoded ?? signer.sign({ startedAtMs: wall.now - 1_000 }, checkPeer) },
              }
            : attribute,
        ),
      });
    return batch;
  };
  return { ...base, signer, wall, receiver, flows };
}

async function refusals(metrics: AgentMetrics): Promise<Record<string, number>> {
  return Object.fromEntries(
    (await metrics.accessLogRecordsRefused.get()).values.map((sample) => [
      String(sample.labels.reason),
      sample.value,
    ]),
  );
}

test('verified: only records signed for the sending peer, once, with possible durations reach the meter', async () => {
  const { receiver, registry, metrics, flows, signer, wall } = verifyingSetup();
  const honest = { RESPONSE_DURATION: '30', authz_duration: '1' };
  assert.deepEqual(receiver.receive(flows(5, '10.0.0.1', honest), '10.0.0.1'), {
    flows: 5,
    noDecision: 0,
    malformed: 0,
    refused: 0,
    dropped: 0,
  });
  // Real records of 10.0.0.1, sent by 10.0.0.2.
  assert.equal(receiver.receive(flows(3, '10.0.0.1', honest), '10.0.0.2').refused, 3);
  // A record accepted once, replayed with a forged 5 s latency.
  const replayed = signer.sign({ startedAtMs: wall.now - 10_000 }, '10.0.0.1');
  assert.equal(receiver.receive(flows(1, '10.0.0.1', honest, replayed), '10.0.0.1').flows, 1);
  const forged = { RESPONSE_DURATION: '5000', authz_duration: '0' };
  assert.equal(receiver.receive(flows(4, '10.0.0.1', forged, replayed), '10.0.0.1').refused, 4);
  // Fresh real records claiming 5 s one second after their Check.
  assert.equal(receiver.receive(flows(2, '10.0.0.1', forged), '10.0.0.1').refused, 2);
  // A record signed with a key this agent does not hold.
  const stranger = new RecordSigner().sign({ startedAtMs: wall.now }, '10.0.0.1');
  assert.equal(receiver.receive(flows(1, '10.0.0.1', honest, stranger), '10.0.0.1').refused, 1);
  assert.deepEqual(await refusals(metrics), {
    'bad-mac': 3,
    replayed: 4,
    'implausible-duration': 2,
    'unknown-key': 1,
  });
  const [series] = registry.fluxMeter('policy', 'policy')?.drain() ?? [];
  assert.equal(series?.count, 6, 'the five honest flows and the first use of the replayed record');
  assert.equal(series?.latencySumMs, 6 * 29);
  assert.match(
    await metrics.registry.metrics(),
    /^sluice_agent_access_log_records_total\{outcome="refused"\} 10$/m,
  );
  assert.match(await metrics.registry.metrics(), /^sluice_agent_access_log_nonces 6$/m);
});

test('verified: a stalled flow whose DURATION is longer than the time since its Check is refused', async () => {
  const { receiver, registry, metrics, flows } = verifyingSetup();
  // Checks signed 1 s ago: a 900 ms stall is possible, a 60 s one is not (RESPONSE_DURATION absent).
  const possible = {
    'http.status_code': '504',
    RESPONSE_DURATION: '-',
    DURATION: '900',
    authz_duration: '1',
  };
  const forged = { ...possible, DURATION: '60000' };
  assert.equal(receiver.receive(flows(2, '10.0.0.1', possible), '10.0.0.1').flows, 2);
  assert.equal(receiver.receive(flows(3, '10.0.0.1', forged), '10.0.0.1').refused, 3);
  assert.deepEqual(await refusals(metrics), { 'implausible-duration': 3 });
  const series = registry.fluxMeter('policy', 'policy')?.drain() ?? [];
  assert.deepEqual(
    series.map((entry) => [entry.labels.stalled, entry.count, entry.latencySumMs]),
    [['true', 2, 2 * 899]],
  );
});

test('two senders, one flooding: the quiet one’s flows are all metered', () => {
  const { receiver, registry, clock, wall, flows } = verifyingSetup({ recordsPerSecond: 1000 });
  let quietSent = 0;
  let quietRead = 0;
  let floodDropped = 0;
  // The flood: 10,000 forged records a second (another key), arriving first in every tick.
  const stranger = new RecordSigner().sign({ startedAtMs: wall.now }, '10.0.0.66');
  const forged = flows(500, '10.0.0.66', { RESPONSE_DURATION: '5000', authz_duration: '0' }, stranger);
  for (let tick = 0; tick < 100; tick++) {
    floodDropped += receiver.receive(forged, '10.0.0.66').dropped;
    const quiet = receiver.receive(
      flows(5, '10.0.0.1', { RESPONSE_DURATION: '30', authz_duration: '1' }),
      '10.0.0.1',
    );
    quietSent += 5;
    if (tick > 0) quietRead += quiet.flows;
    clock.advance(50);
    wall.now += 50;
  }
  assert.equal(quietRead, quietSent - 5, 'every quiet flow after its first Export');
  const [series] = registry.fluxMeter('policy', 'policy')?.drain() ?? [];
  assert.ok((series?.count ?? 0) >= quietRead, 'the quiet flows are metered');
  assert.equal(series?.latencySumMs, (series?.count ?? 0) * 29, 'and nothing of the flood');
  // 5 s of budget (1 s burst + 5 s × 1000/s): the flood had what the quiet sender left read (and
  // refused), but for the half second of records held back for senders within their share.
  const floodRead = 500 * 100 - floodDropped;
  assert.ok(
    floodRead <= 5_500 - quietRead && floodRead >= 5_500 - quietRead - 100,
    `flood read ${floodRead}`,
  );
});
