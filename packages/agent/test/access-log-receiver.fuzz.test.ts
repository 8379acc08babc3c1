/**
 * Malformed and forged OTLP logs to the real agent over gRPC on loopback. Raw bytes that are not an
 * ExportLogsServiceRequest are refused whole with INVALID_ARGUMENT; well-formed requests carrying
 * bad records (decision metadata that is not ours, attributes of the wrong type, non-numbers,
 * negative durations, 10,000 junk attributes, missing fields) have those records dropped, reported
 * in partial_success and counted by reason; records whose decision record does not verify (v1,
 * another key, another peer, a replay, an age or durations that cannot be) are refused and counted
 * by reason. Valid records (each signed once with the agent's key) mixed into the same batches
 * update the flux meter exactly, and the rate limiter keeps deciding Checks exactly as before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { logsService } from '@sluice/spec/protos';
import { DECISION_METADATA_KEY } from '../src/check/decision-record.js';
import type { RecordRejection } from '../src/access-log/access-log-record.js';
import type { RecordRefusal } from '../src/access-log/record-verifier.js';
import { accessLogExport, checkRequest, startAgent } from './support/agent-harness.js';
import { RecordSigner } from './support/record-signer.js';
import { fluxMeterConfig, rateLimiterConfig } from './support/compiled-components.js';
import { nestedMessages, RawGrpcClient, serviceMethod } from './support/raw-grpc.js';
import { decodeDecisionRecord, isV1RecordText, splitSignedRecord } from '../src/check/decision-record.js';

/** What the tests read from a counter (prom-client's and the agent's SeriesCounter both have it). */
type Counter = {
  get(): Promise<{ values: Array<{ value: number; labels: Record<string, string | number | undefined> }> }>;
};

const SEED = 20_251_012;
const BATCHES = 200;
const RAW_RUNS = 200;
const EXPORT = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
/** The meter's series for an OK 200 flow, as /metrics writes it. */
const SERIES =
  'flux_meter_name="policy",policy_name="policy",decision_type="accepted",http_status_code="200",flow_status="OK",stalled="false"';

const Export = serviceMethod(logsService(), 'Export');

type AnyValue = Record<string, unknown>;
type LogRecord = { attributes?: Array<{ key?: string; value?: AnyValue }>; body?: AnyValue };
type Expected = RecordRejection | RecordRefusal | 'no-decision' | 'flow';
const REJECTIONS: readonly RecordRejection[] = ['decision-record', 'attribute-type', 'attribute-value'];
const REFUSALS = [
  'v1-record',
  'unknown-key',
  'bad-mac',
  'replayed',
  'expired',
  'future-start',
  'implausible-duration',
  'implausible-authz-duration',
] as const satisfies readonly RecordRefusal[];
interface DrawnRecord {
  readonly record: LogRecord;
  readonly expected: Expected;
  /** For flows: response duration − ext_authz duration. */
  readonly latencyMs: number;
}

const kv = (key: string, value: AnyValue) => ({ key, value });
const text = (value: string) => ({ string_value: value });
const base64 = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64');

/**
 * A valid flow record: a fresh record signed with the agent's key for this client's peer, its Check
 * 30 s ago (so any response up to 20 s is possible); authz ≤ response, so its latency is observed.
 */
function validRecord(signer: RecordSigner) {
  return fc
    .tuple(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20_000 }))
    .map(([a, b]): DrawnRecord => {
      const [authz, response] = a <= b ? [a, b] : [b, a];
      return {
        record: {
          attributes: [
            kv(
              DECISION_METADATA_KEY,
              text(signer.sign({ startedAtMs: Date.now() - 30_000, processingMs: 0 })),
            ),
            kv('http.status_code', text('200')),
            kv('RESPONSE_DURATION', text(String(response))),
            kv('authz_duration', text(String(authz))),
          ],
        },
        expected: 'flow',
        latencyMs: response - authz,
      };
    });
}

/** What the agent must say of a decision metadata value that is no record it wrote. */
function verdictOf(value: string): Expected {
  if (value.startsWith('2.') && splitSignedRecord(value) !== undefined) return 'bad-mac';
  return isV1RecordText(value) ? 'v1-record' : 'decision-record';
}

/**
 * Records the agent must drop, refuse (or skip), each with the reason it must give. `encoded` is a
 * real record of the agent's, already metered once; `signer` signs with the agent's key.
 */
function badRecord(encoded: string, signer: RecordSigner): fc.Arbitrary<DrawnRecord> {
  const withDecision = (extra: Array<{ key: string; value: AnyValue }>): LogRecord => ({
    attributes: [kv(DECISION_METADATA_KEY, text(encoded)), ...extra],
  });
  const drawn = (record: LogRecord, expected: Expected): DrawnRecord => ({ record, expected, latencyMs: 0 });
  const flow = (decision: string, response: number, authz: number): LogRecord => ({
    attributes: [
      kv(DECISION_METADATA_KEY, text(decision)),
      kv('http.status_code', text('200')),
      kv('RESPONSE_DURATION', text(String(response))),
      kv('authz_duration', text(String(authz))),
    ],
  });
  const stranger = new RecordSigner();
  const ago = (ms: number) => Date.now() - ms;
  return fc.oneof(
    // Decision metadata that is not a record this agent wrote.
    fc
      .oneof(
        fc.string({ minLength: 1 }).filter((value) => value !== '-'),
        fc.constantFrom('%%%', 'bm90IGpzb24=', base64({ v: 2 }), base64({}), base64([1, 2]), '2.e30.AAAA'),
        fc.jsonValue().map(base64),
      )
      .map((value) => drawn({ attributes: [kv(DECISION_METADATA_KEY, text(value))] }, verdictOf(value))),
    // Well-formed records the agent must not believe.
    fc
      .tuple(fc.constantFrom(...REFUSALS), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 5 }))
      .map(([reason, response, authz]) => {
        const decision = {
          'v1-record': () => base64({ v: 1, controlPoint: 'ingress' }),
          'unknown-key': () => stranger.sign({ startedAtMs: ago(30_000), processingMs: 0 }),
          'bad-mac': () => signer.sign({ startedAtMs: ago(30_000), processingMs: 0 }, '10.9.9.9'),
          replayed: () => encoded,
          expired: () => signer.sign({ startedAtMs: ago(400_000), processingMs: 0 }),
          'future-start': () => signer.sign({ startedAtMs: ago(-60_000), processingMs: 0 }),
          'implausible-duration': () => signer.sign({ startedAtMs: ago(0), processingMs: 0 }),
          'implausible-authz-duration': () => signer.sign({ startedAtMs: ago(30_000), processingMs: 6.5 }),
        }[reason]();
        return drawn(
          flow(decision, reason === 'implausible-duration' ? 20_000 + response : response, authz),
          reason,
        );
      }),
    fc
      .oneof(
        fc.integer().map((value) => ({ int_value: value })),
        fc.double({ noNaN: true }).map((value) => ({ double_value: value })),
        fc.boolean().map((value) => ({ bool_value: value })),
      )
      .map((value) => drawn({ attributes: [kv(DECISION_METADATA_KEY, value)] }, 'decision-record')),
    // Attributes the agent reads, holding values that are not scalars.
    fc
      .tuple(
        fc.constantFrom(
          DECISION_METADATA_KEY,
          'http.status_code',
          'RESPONSE_DURATION',
          'authz_duration',
          // Read for a stalled flow (no RESPONSE_DURATION), as these records are.
          'DURATION',
        ),
        fc.constantFrom<AnyValue>(
          { array_value: { values: [text('200')] } },
          { kvlist_value: { values: [kv('a', text('b'))] } },
          { bytes_value: Buffer.from('200') },
          {},
        ),
      )
      .map(([key, value]) =>
        drawn(
          key === DECISION_METADATA_KEY
            ? { attributes: [kv(key, value)] }
            : withDecision([kv('http.status_code', text('200')), kv(key, value)]),
          'attribute-type',
        ),
      ),
    // Numbers that are not numbers, or negative durations.
    fc
      .tuple(
        fc.constantFrom(
          'http.status_code',
          'RESPONSE_DURATION',
          'authz_duration',
          'ext_authz_duration',
          'DURATION',
        ),
        fc.oneof(
          fc.constantFrom<AnyValue>(
            text('soon'),
            text('NaN'),
            text('1e400'),
            text('-1'),
            text('0x'),
            { bool_value: true },
            { double_value: -0.5 },
            { int_value: -3 },
          ),
          fc
            .string({ minLength: 1 })
            .filter((value) => !/^\s*[-+.\d]/.test(value) && value !== '-')
            .map(text),
        ),
      )
      .map(([key, value]) => drawn(withDecision([kv(key, value)]), 'attribute-value')),
    // Missing fields: no attributes, keys without values, a body only.
    fc
      .constantFrom<LogRecord>(
        {},
        { attributes: [] },
        { attributes: [{ key: DECISION_METADATA_KEY }] },
        { attributes: [{ value: text(encoded) }] },
        { body: text('GET /') },
        { attributes: [kv(DECISION_METADATA_KEY, text('-'))] },
      )
      .map((record) => drawn(record, 'no-decision')),
  );
}

/** 10,000 junk attributes around a decision that is not ours: still one dropped record. */
function hugeRecord(): DrawnRecord {
  const attributes = Array.from({ length: 10_000 }, (_, i) => kv(`junk.${i}`, { int_value: i }));
  attributes.push(kv(DECISION_METADATA_KEY, text('not a decision')));
  return { record: { attributes }, expected: 'decision-record', latencyMs: 0 };
}

/** Records spread over resource and scope lists, with empty ones (missing fields) in between. */
function batch(records: readonly DrawnRecord[], split: number) {
  const scopes: Array<{ log_records?: LogRecord[] }> = [{}];
  records.forEach((drawn, index) => {
    if (index % (split + 1) === split) scopes.push({ log_records: [] }, {});
    const last = scopes[scopes.length - 1] as { log_records?: LogRecord[] };
    (last.log_records ??= []).push(drawn.record);
  });
  return { resource_logs: [{}, { scope_logs: scopes }, { resource: {} }] };
}

/** OTLP AnyValue nested past protobuf's depth limit inside one record's attribute. */
function deeplyNested(levels: number): Buffer {
  return nestedMessages({
    levels,
    alternate: [1, 5],
    wrap: [{ field: 1 }, { field: 2 }, { field: 2 }, { field: 6, prefix: [0x0a, 0x01, 0x6b] }, { field: 2 }],
  });
}

async function total(counter: Counter, match: Record<string, string> = {}): Promise<number> {
  return (await counter.get()).values
    .filter((sample) => Object.entries(match).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe('malformed OTLP access logs to the agent over gRPC', { timeout: 120_000 }, () => {
  let h: Awaited<ReturnType<typeof startAgent>>;
  let raw: RawGrpcClient;
  let encoded: string;
  const expected = Object.fromEntries(
    [...REJECTIONS, ...REFUSALS, 'flow', 'no-decision'].map((kind) => [kind, 0]),
  ) as Record<Expected, number>;
  let latencySumMs = 0;
  let undecodable = 0;
  let hugeRecords = 0;

  before(async () => {
    // Batches here reach a few hundred KiB, past the default receive limit: this tests their content.
    h = await startAgent({ maxRequestHeadersKb: 4096 });
    h.agent.registry.replaceAll([
      {
        policyName: 'policy',
        policyHash: 'hash-1',
        // One token back per hour: the limiter's answers below depend on the count of Checks only.
        components: [
          fluxMeterConfig(),
          rateLimiterConfig({ bucketCapacity: 40, fillAmount: 1, intervalMs: 3_600_000 }),
        ],
      },
    ]);
    const response = await h.check(checkRequest(), { controlPoint: 'ingress' });
    assert.equal(response.status.code, 0);
    encoded = response.dynamic_metadata.fields[DECISION_METADATA_KEY]?.stringValue ?? '';
    // Its real access log: metered once, so every later use of the record is a replay. Envoy's
    // ext_authz time includes the agent's own, which a busy machine can stretch.
    const authzMs = Math.ceil(decodeDecisionRecord(encoded).processingMs);
    await h.exportLogs(
      accessLogExport({
        [DECISION_METADATA_KEY]: encoded,
        'http.status_code': '200',
        RESPONSE_DURATION: String(authzMs + 5),
        authz_duration: String(authzMs),
      }),
    );
    expected.flow++;
    latencySumMs += 5;
    raw = new RawGrpcClient(`127.0.0.1:${h.ports.grpcPort}`);
  });

  after(async () => {
    raw.close();
    await h.close();
  });

  it(`${RAW_RUNS} raw Export requests: those that do not decode are refused with INVALID_ARGUMENT and counted`, async () => {
    const valid = Export.requestSerialize(batch([hugeRecord()], 1));
    const wire = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
      fc.integer({ min: 1, max: valid.length - 1 }).map((cut) => valid.subarray(0, cut)),
      fc
        .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })
        .map((flips) => {
          const bytes = Buffer.from(valid);
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          return bytes;
        }),
      fc.integer({ min: 100, max: 20_000 }).map((levels) => deeplyNested(levels * 2)),
    );
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(wire, async (bytes) => {
        const reply = await raw.call(EXPORT, bytes);
        if ('error' in reply) {
          assert.equal(reply.error.code, status.INVALID_ARGUMENT, reply.error.message);
          assert.match(reply.error.details, /^undecodable ExportLogsServiceRequest: /);
          undecodable++;
        } else {
          // Some corruptions still decode: those count like any other request (checked below).
          Export.responseDeserialize(reply.ok);
          answered++;
        }
      }),
      { seed: SEED, numRuns: RAW_RUNS, endOnFailure: true },
    );
    console.log(`access-log raw fuzz: ${RAW_RUNS} requests, ${undecodable} undecodable, ${answered} decoded`);
    assert.equal(undecodable + answered, RAW_RUNS);
    assert.ok(undecodable > RAW_RUNS / 2, `${undecodable}`);
    assert.equal(
      await total(h.agent.metrics.accessLogExportsRejected, { reason: 'undecodable' }),
      undecodable,
    );
  });

  it(`${BATCHES} batches of bad records mixed with good ones: bad ones dropped by reason, good ones observed`, async () => {
    // Decoded corruptions from the raw phase may have carried records; count from here on.
    const { accessLogRecords, accessLogRecordsRejected, accessLogRecordsRefused } = h.agent.metrics;
    const counts = async () => ({
      flow: await total(accessLogRecords, { outcome: 'flow' }),
      noDecision: await total(accessLogRecords, { outcome: 'no-decision' }),
      malformed: await total(accessLogRecords, { outcome: 'malformed' }),
      refused: await total(accessLogRecords, { outcome: 'refused' }),
      byReason: Object.fromEntries(
        await Promise.all([
          ...REJECTIONS.map(
            async (reason) => [reason, await total(accessLogRecordsRejected, { reason })] as const,
          ),
          ...REFUSALS.map(
            async (reason) => [reason, await total(accessLogRecordsRefused, { reason })] as const,
          ),
        ]),
      ) as Record<RecordRejection | RecordRefusal, number>,
    });
    const before = await counts();
    const start = { ...expected };
    const records = fc.array(
      fc.oneof({ weight: 3, arbitrary: badRecord(encoded, h.signer) }, validRecord(h.signer)),
      { maxLength: 30 },
    );
    const huge = fc.oneof({ weight: 19, arbitrary: fc.constant([]) }, fc.constant([hugeRecord()]));
    await fc.assert(
      fc.asyncProperty(records, huge, fc.integer({ min: 1, max: 8 }), async (drawn, extra, split) => {
        const all = [...drawn, ...extra];
        hugeRecords += extra.length;
        const malformed = all.filter((record) =>
          (REJECTIONS as readonly Expected[]).includes(record.expected),
        ).length;
        const refused = all.filter((record) =>
          (REFUSALS as readonly Expected[]).includes(record.expected),
        ).length;
        const reply = await h.exportLogs(batch(all, split));
        const messages = [
          ...(malformed > 0 ? ['malformed access-log records dropped'] : []),
          ...(refused > 0 ? ['access-log records whose decision record did not verify refused'] : []),
        ];
        assert.deepEqual(
          reply,
          messages.length === 0
            ? {}
            : {
                partial_success: {
                  rejected_log_records: malformed + refused,
                  error_message: messages.join('; '),
                },
              },
        );
        for (const record of all) {
          expected[record.expected]++;
          latencySumMs += record.latencyMs;
        }
      }),
      { seed: SEED, numRuns: BATCHES, endOnFailure: true },
    );
    console.log(`access-log record fuzz: ${BATCHES} batches ${JSON.stringify({ ...expected, hugeRecords })}`);
    assert.ok(hugeRecords > 0, 'no record with 10,000 attributes was drawn');
    const after = await counts();
    const drawnSince = (kind: Expected) => expected[kind] - start[kind];
    const sum = (kinds: readonly Expected[]) => kinds.reduce((n, kind) => n + drawnSince(kind), 0);
    assert.equal(after.flow - before.flow, drawnSince('flow'));
    assert.equal(after.noDecision - before.noDecision, drawnSince('no-decision'));
    assert.equal(after.malformed - before.malformed, sum(REJECTIONS));
    assert.equal(after.refused - before.refused, sum(REFUSALS));
    for (const reason of [...REJECTIONS, ...REFUSALS]) {
      assert.ok(drawnSince(reason) > 0, `no ${reason} record was drawn`);
      assert.equal(after.byReason[reason] - before.byReason[reason], drawnSince(reason), reason);
    }
    assert.ok(drawnSince('flow') > 100, `${drawnSince('flow')} flows`);
  });

  it('the flux meter saw exactly the valid records, and no bad one', async () => {
    const metrics = (await h.http('/metrics')).body;
    const value = (suffix: string) =>
      Number(
        new RegExp(`^sluice_agent_flux_meter_ms_${suffix}\\{${SERIES}\\} (\\S+)$`, 'm').exec(metrics)?.[1],
      );
    const count = value('count');
    const sum = value('sum');
    // Records decoded from corrupted raw bytes above could only carry the decision "not a decision".
    assert.equal(count, expected.flow);
    assert.equal(sum, latencySumMs);
    assert.doesNotMatch(metrics, /sluice_agent_flux_meter_invalid_total\{/);
    const points = JSON.parse((await h.http('/v1/control-points')).body) as { controlPoints: unknown[] };
    // The Check's service, and `svc` of the records the test signed.
    assert.deepEqual(points.controlPoints, [
      {
        agentGroup: 'default',
        controlPoint: 'ingress',
        service: 'service1-demo-app.demoapp.svc.cluster.local',
        type: 'http',
      },
      { agentGroup: 'default', controlPoint: 'ingress', service: 'svc', type: 'http' },
    ]);
  });

  it('Checks are decided exactly as before: the 39 tokens left pass, the next Check gets 429', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 40; i++)
      codes.push((await h.check(checkRequest(), { controlPoint: 'ingress' })).status.code);
    assert.deepEqual(codes, [...Array<number>(39).fill(0), 14]);
    const denied = await h.check(checkRequest(), { controlPoint: 'ingress' });
    assert.equal(
      denied.denied_response?.status.code as unknown,
      'TooManyRequests',
      'HTTP 429 (enums arrive as names)',
    );
    assert.equal(denied.denied_response?.headers[0]?.header.key, 'retry-after');
  });
});
