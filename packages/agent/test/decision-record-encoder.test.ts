import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  DecisionRecordEncoder,
  decisionRecordOf,
  decisionRecordV2Of,
  type DecisionRecordParts,
  type FluxMeterReference,
  type RecordIdentity,
} from '../src/check/decision-record-encoder.js';
import {
  decodeDecisionRecord,
  splitSignedRecord,
  type DecisionRecordV2,
} from '../src/check/decision-record.js';
import { RandomBytePool } from '../src/record-key/random-byte-pool.js';
import { RecordKeyRing } from '../src/record-key/record-key-ring.js';
import type {
  ComponentDecision,
  ComponentIdentity,
  DecisionReason,
} from '../src/pipeline/component-decision.js';
import { anyString } from './support/check-arbitraries.js';

// A few components and meters, reused across Checks as a running policy reuses them, so the
// encoder's caches are hit with every outcome.
const identities: Array<{ identity: ComponentIdentity; kind: ComponentDecision['kind'] }> = [
  { identity: { policyName: 'p', policyHash: 'h1', componentId: 'rl' }, kind: 'rate-limiter' },
  { identity: { policyName: 'p', policyHash: 'h1', componentId: 'ls' }, kind: 'load-scheduler' },
  {
    identity: { policyName: 'q "quoted"\n', policyHash: 'ü\u2028', componentId: '\\' },
    kind: 'rate-limiter',
  },
];
const meters: FluxMeterReference[] = [
  { policyName: 'p', name: 'latency' },
  { policyName: 'q', name: 'ünï "x"' },
];
const REASONS: DecisionReason[] = [
  'tokens-available',
  'rate-limited',
  'label-missing',
  'pass-through',
  'bootstrapping',
  'zero-tokens',
  'queued-then-admitted',
  'queue-timeout',
  'no-fill',
  'failed-open',
];
/** Numbers the record may carry, and ones JSON writes as null. */
const anyNumber = fc.oneof(
  fc.nat(100),
  fc.double(),
  fc.constantFrom(0, -0, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, NaN, Infinity),
);

const componentDecision: fc.Arbitrary<ComponentDecision> = fc
  .record({
    component: fc.constantFrom(...identities),
    admitted: fc.boolean(),
    enforced: fc.boolean(),
    reason: fc.constantFrom(...REASONS),
    workload: fc.option(fc.constantFrom('guests', 'subscribers', 'default', 'ünï'), { nil: undefined }),
    tokens: anyNumber,
    queuedMs: anyNumber,
  })
  .map(({ component, workload, ...rest }) => ({
    identity: component.identity,
    kind: component.kind,
    deniedStatusCode: 429,
    ...(workload === undefined ? {} : { workload }),
    ...rest,
  }));

const parts: fc.Arbitrary<DecisionRecordParts> = fc.record({
  controlPoint: anyString,
  services: fc.array(anyString, { maxLength: 3 }),
  decision: fc.constantFrom('accepted' as const, 'rejected' as const),
  decisions: fc.array(componentDecision, { maxLength: 4 }),
  fluxMeters: fc.subarray(meters),
  // Keys include array indices, which JSON.stringify writes first, and prototype names.
  labels: fc
    .dictionary(fc.oneof(anyString, fc.constantFrom('1', '0', '10', 'toString', 'http.path')), anyString, {
      maxKeys: 8,
    })
    .map((labels) => ({ ...labels })),
  startedAtMs: anyNumber,
  processingMs: anyNumber,
});

const identity: fc.Arbitrary<RecordIdentity> = fc.record({
  flowId: fc.oneof(anyString, fc.constant('AbCd-_09.1z')),
  nonce: fc.oneof(anyString, fc.constant('AAAAAAAAAAAAAAAA')),
  keyId: anyString,
});

/** The v2 body as JSON.stringify writes it: the record without `v`. */
function bodyText(parts: DecisionRecordParts, id: RecordIdentity): string {
  const { v: _v, ...body } = decisionRecordV2Of(parts, id);
  return JSON.stringify(body);
}

test('the body the encoder writes is JSON.stringify of the v2 record, its caches warm or cold', () => {
  const encoder = new DecisionRecordEncoder();
  fc.assert(
    fc.property(fc.array(fc.tuple(parts, identity), { minLength: 1, maxLength: 5 }), (checks) => {
      for (const [check, id] of checks) assert.equal(encoder.bodyJson(check, id), bodyText(check, id));
    }),
    { seed: 20_251_125, numRuns: 2000 },
  );
});

test('a signed record is 2.<base64url body>.<MAC for the peer>; it decodes back to the record of its parts', () => {
  const decision: ComponentDecision = {
    identity: { policyName: 'p', policyHash: 'h1', componentId: 'ls' },
    kind: 'load-scheduler',
    admitted: true,
    enforced: true,
    reason: 'queued-then-admitted',
    deniedStatusCode: 503,
    workload: 'guests',
    tokens: 2,
    queuedMs: 12.3456789,
  };
  const check: DecisionRecordParts = {
    controlPoint: 'ingress',
    services: ['orders'],
    decision: 'accepted',
    decisions: [decision],
    fluxMeters: meters,
    labels: { 'http.method': 'GET', 'user-type': 'guest' },
    startedAtMs: 1_764_000_000_000,
    processingMs: 12.5,
  };
  const keys = new RecordKeyRing(Buffer.alloc(32, 5));
  const encoder = new DecisionRecordEncoder({ keys });
  const encoded = encoder.encode(check, '10.1.2.3');
  assert.match(encoded, /^2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  const signed = splitSignedRecord(encoded);
  assert.ok(signed);
  assert.equal(keys.current.verify('10.1.2.3', signed.body, signed.mac), true);
  assert.equal(keys.current.verify('10.1.2.4', signed.body, signed.mac), false);
  const record = decodeDecisionRecord(encoded) as DecisionRecordV2;
  assert.equal(record.v, 2);
  assert.equal(record.keyId, keys.current.id);
  assert.deepEqual(record, decisionRecordV2Of(check, record));
  assert.equal(record.components[0]?.queuedMs, 12.346, 'queue time rounded to the microsecond');
  assert.equal(Buffer.from(signed.body, 'base64url').toString('utf8'), bodyText(check, record));
});

test('every record has its own flow id and a 96-bit nonce from the injected random bytes', () => {
  let fills = 0;
  const random = new RandomBytePool((target) => {
    fills++;
    for (let i = 0; i < target.length; i += 4) target.writeUInt32BE(fills * 1_000_000 + i, i);
  });
  const encoder = new DecisionRecordEncoder({ keys: new RecordKeyRing(Buffer.alloc(32, 5)), random });
  const check: DecisionRecordParts = {
    controlPoint: 'ingress',
    services: [],
    decision: 'accepted',
    decisions: [],
    fluxMeters: [],
    labels: {},
    startedAtMs: 0,
    processingMs: 0,
  };
  const records = Array.from(
    { length: 1000 },
    () => decodeDecisionRecord(encoder.encode(check, 'p')) as DecisionRecordV2,
  );
  assert.equal(new Set(records.map((record) => record.nonce)).size, 1000);
  assert.equal(new Set(records.map((record) => record.flowId)).size, 1000);
  for (const record of records) assert.equal(Buffer.from(record.nonce, 'base64url').length, 12);
  const [instance] = (records[0]?.flowId ?? '').split('.');
  assert.deepEqual(
    records.slice(0, 3).map((record) => record.flowId),
    [`${instance}.0`, `${instance}.1`, `${instance}.2`],
  );
  assert.equal(records[999]?.flowId, `${instance}.${(999).toString(36)}`);
  assert.ok(fills >= 3 && fills <= 4, `${fills} fills of 4 KiB for 1000 nonces`);
});

test('a record longer than the scratch buffer is encoded whole', () => {
  const encoder = new DecisionRecordEncoder();
  const check: DecisionRecordParts = {
    controlPoint: 'ingress',
    services: [],
    decision: 'accepted',
    decisions: [],
    fluxMeters: [],
    labels: { big: 'é'.repeat(70_000), small: 'x' },
    startedAtMs: 0,
    processingMs: 0,
  };
  for (const labels of [check.labels, { big: 'a'.repeat(30_000) }, { big: 'ü'.repeat(21_000) }]) {
    const withLabels = { ...check, labels };
    const record = decodeDecisionRecord(encoder.encode(withLabels, '127.0.0.1')) as DecisionRecordV2;
    assert.deepEqual(record, decisionRecordV2Of(withLabels, record));
  }
  assert.deepEqual(
    decisionRecordOf(check).v,
    1,
    'the v1 record of the parts is still there for upgrade tests',
  );
});
