import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeDecisionRecord,
  decodeDecisionRecordV2Body,
  DecisionRecordSchema,
  DecisionRecordV2BodySchema,
  encodeDecisionRecord,
  isV1RecordText,
  readDecisionRecord,
  readDecisionRecordV2Body,
  splitSignedRecord,
  type DecisionRecordV1,
} from '../src/check/decision-record.js';

const valid: DecisionRecordV1 = {
  v: 1,
  controlPoint: 'ingress',
  services: ['orders'],
  decision: 'rejected',
  components: [
    {
      policyName: 'p',
      policyHash: 'h',
      componentId: 'ls',
      kind: 'load-scheduler',
      decision: 'rejected',
      dryRun: false,
      reason: 'queue-timeout',
      workload: 'guests',
      tokens: 1,
      queuedMs: 12.5,
    },
    {
      policyName: 'p',
      policyHash: 'h',
      componentId: 'rl',
      kind: 'rate-limiter',
      decision: 'accepted',
      dryRun: true,
      reason: 'tokens-available',
      tokens: 1,
      queuedMs: 0,
    },
  ],
  fluxMeters: [{ policyName: 'p', name: 'latency' }],
  labels: { 'http.method': 'GET', '1': 'index-like', 'user-type': 'guest' },
  startedAtMs: 1_764_000_000_000,
  processingMs: 0.25,
};

/** A JSON value: what JSON.parse can hand the reader. */
const json = fc.jsonValue({ maxDepth: 3 });

/**
 * Values near a record: the valid one with one part replaced by anything JSON can hold, a key
 * dropped or added (`__proto__` included, as JSON.parse creates it as an own key), or whole random
 * JSON. Mostly almost-records, so both verdicts come up often.
 */
const paths: Array<Array<string | number>> = [
  [],
  ['v'],
  ['controlPoint'],
  ['services'],
  ['services', 0],
  ['decision'],
  ['components'],
  ['components', 0],
  ['components', 0, 'kind'],
  ['components', 0, 'decision'],
  ['components', 0, 'dryRun'],
  ['components', 0, 'workload'],
  ['components', 0, 'tokens'],
  ['components', 1, 'queuedMs'],
  ['components', 1, 'policyHash'],
  ['fluxMeters'],
  ['fluxMeters', 0],
  ['fluxMeters', 0, 'name'],
  ['labels'],
  ['labels', 'user-type'],
  ['startedAtMs'],
  ['processingMs'],
];
/** Sets `key` as an own data property, as JSON.parse does (plain assignment of `__proto__` would not). */
function setOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const change = fc.record({
  path: fc.constantFrom(...paths),
  action: fc.constantFrom('replace', 'delete', 'add'),
  key: fc.constantFrom('__proto__', 'extra', 'workload', 'constructor', '0', 'v'),
  value: fc.oneof(json, fc.constantFrom(1, 'accepted', 'load-scheduler', true, [], {}, -0, 1.5)),
});
const nearRecord: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: json },
  {
    weight: 6,
    arbitrary: change.map(({ path, action, key, value }) => {
      const root = JSON.parse(JSON.stringify(valid)) as unknown;
      let parent: unknown;
      let target: unknown = root;
      for (const step of path) {
        parent = target;
        target = (target as Record<string | number, unknown> | undefined)?.[step];
      }
      const last = path[path.length - 1];
      const container = parent as Record<string | number, unknown> | undefined;
      if (action === 'replace' && container !== undefined && last !== undefined)
        setOwn(container, last, value);
      else if (action === 'delete' && container !== undefined && last !== undefined) delete container[last];
      else if (action === 'add' && typeof target === 'object' && target !== null) setOwn(target, key, value);
      return root;
    }),
  },
);

test('the written-out reader agrees with DecisionRecordSchema on any JSON: same verdict, same record', () => {
  let accepted = 0;
  fc.assert(
    fc.property(nearRecord, (value) => {
      const text = JSON.stringify(value);
      const expected = DecisionRecordSchema.safeParse(value);
      const actual = readDecisionRecord(value);
      assert.equal(actual !== undefined, expected.success, text);
      if (expected.success) {
        accepted++;
        assert.deepEqual(actual, expected.data);
        assert.equal(JSON.stringify(actual), JSON.stringify(expected.data), 'keys in the same order');
      }
    }),
    { seed: 20_251_125, numRuns: 5000 },
  );
  assert.ok(accepted > 500, `only ${accepted} accepted values were drawn`);
});

test('a record round-trips; a refused one is reported with zod’s first issue', () => {
  assert.deepEqual(decodeDecisionRecord(encodeDecisionRecord(valid)), valid);
  const tamper = (change: (record: Record<string, unknown>) => void) => {
    const record = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
    change(record);
    return Buffer.from(JSON.stringify(record)).toString('base64');
  };
  for (const [encoded, reason] of [
    [tamper((record) => (record.v = 2)), /Invalid input: expected 1/],
    [tamper((record) => (record.extra = 1)), /Unrecognized key: "extra"/],
    [tamper((record) => (record.labels = { a: 1 })), /expected string, received number/],
    [tamper((record) => delete record.services), /expected array, received undefined/],
  ] as const)
    assert.throws(
      () => decodeDecisionRecord(encoded),
      (error: Error) =>
        error.message.startsWith('decision metadata does not match the record schema: ') &&
        reason.test(error.message),
    );
  assert.throws(() => decodeDecisionRecord('not base64 json'), /decision metadata is not base64 JSON/);
});

const { v: _v, ...decision } = valid;
const validBody = { flowId: 'AbCdEfGh.1z', nonce: 'AAECAwQFBgcICQoL', keyId: 'k3yId_-0', ...decision };

test('the written-out v2 body reader agrees with DecisionRecordV2BodySchema: same verdict, same record with v: 2 first', () => {
  const bodyPaths = [[], ['flowId'], ['nonce'], ['keyId'], ...paths.filter((path) => path[0] !== 'v')];
  const nearBody: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 1, arbitrary: json },
    {
      weight: 6,
      arbitrary: fc
        .record({ path: fc.constantFrom(...bodyPaths), change })
        .map(({ path, change: { action, key, value } }) => {
          const root = JSON.parse(JSON.stringify(validBody)) as unknown;
          let parent: unknown;
          let target: unknown = root;
          for (const step of path) {
            parent = target;
            target = (target as Record<string | number, unknown> | undefined)?.[step];
          }
          const last = path[path.length - 1];
          const container = parent as Record<string | number, unknown> | undefined;
          if (action === 'replace' && container !== undefined && last !== undefined)
            setOwn(container, last, value);
          else if (action === 'delete' && container !== undefined && last !== undefined)
            delete container[last];
          else if (action === 'add' && typeof target === 'object' && target !== null)
            setOwn(target, key, value);
          return root;
        }),
    },
  );
  let accepted = 0;
  fc.assert(
    fc.property(nearBody, (value) => {
      const expected = DecisionRecordV2BodySchema.safeParse(value);
      const actual = readDecisionRecordV2Body(value);
      assert.equal(actual !== undefined, expected.success, JSON.stringify(value));
      if (expected.success) {
        accepted++;
        assert.equal(JSON.stringify(actual), JSON.stringify({ v: 2, ...expected.data }));
      }
    }),
    { seed: 20_251_201, numRuns: 3000 },
  );
  assert.ok(accepted > 300, `only ${accepted} accepted values were drawn`);
});

test('v2 values split at their two dots; v1 values are recognised by their first bytes', () => {
  assert.deepEqual(splitSignedRecord('2.Ym9keQ.bWFj'), { body: 'Ym9keQ', mac: 'bWFj' });
  for (const value of ['2.', '2..x', '2.x.', '2.a.b.c', '3.a.b', 'a.b', ''])
    assert.equal(splitSignedRecord(value), undefined, value);
  assert.equal(isV1RecordText(encodeDecisionRecord(valid)), true);
  assert.equal(isV1RecordText(Buffer.from('{"v":2}').toString('base64')), false);
  assert.equal(isV1RecordText('2.abc.def'), false);
});

test('decodeDecisionRecord reads both formats without verifying; bad v2 bodies say why', () => {
  const body = Buffer.from(JSON.stringify(validBody)).toString('base64url');
  assert.deepEqual(decodeDecisionRecord(`2.${body}.not-checked`), { v: 2, ...validBody });
  assert.deepEqual(decodeDecisionRecord(encodeDecisionRecord(valid)), valid);
  assert.throws(() => decodeDecisionRecord('2.x'), /is not 2.<body>.<mac>/);
  assert.throws(
    () => decodeDecisionRecordV2Body('e30+'),
    /body is not base64url JSON/,
    'base64, not base64url',
  );
  const extra = Buffer.from(JSON.stringify({ ...validBody, v: 2 })).toString('base64url');
  assert.throws(
    () => decodeDecisionRecordV2Body(extra),
    /does not match the v2 schema: Unrecognized key: "v"/,
  );
  const noNonce = Buffer.from(JSON.stringify({ ...validBody, nonce: 7 })).toString('base64url');
  assert.throws(() => decodeDecisionRecordV2Body(noNonce), /expected string, received number/);
});
