import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeMap, parseAccessLogAttributes } from '../src/access-log/access-log-record.js';
import { encodeDecisionRecord, type DecisionRecordV1 } from '../src/check/decision-record.js';

const record: DecisionRecordV1 = {
  v: 1,
  controlPoint: 'ingress',
  services: ['svc'],
  decision: 'accepted',
  components: [],
  fluxMeters: [{ policyName: 'p', name: 'p' }],
  labels: { 'http.method': 'GET' },
  startedAtMs: 1,
  processingMs: 0.5,
};

function attributes(values: Record<string, string>): Map<string, string> {
  return new Map(Object.entries({ 'aperture.check_response': encodeDecisionRecord(record), ...values }));
}

test('latency = RESPONSE_DURATION − authz_duration (acceptance check 15)', () => {
  const outcome = parseAccessLogAttributes(
    attributes({ RESPONSE_DURATION: '123', authz_duration: '23', 'http.status_code': '200' }),
  );
  assert.equal(outcome.kind, 'flow');
  if (outcome.kind !== 'flow') return;
  assert.equal(outcome.flow.latencyMs, 100);
  assert.equal(outcome.flow.responseDurationMs, 123);
  assert.equal(outcome.flow.flowStatus, 'OK');
  assert.deepEqual(outcome.flow.record, record);
});

test('the ext_authz_duration key is read as well', () => {
  const outcome = parseAccessLogAttributes(
    attributes({ RESPONSE_DURATION: '50', ext_authz_duration: '20', 'http.status_code': '204' }),
  );
  assert.equal(outcome.kind === 'flow' ? outcome.flow.latencyMs : -1, 30);
});

test('without ext_authz duration there is a response duration but no latency; a negative difference is dropped', () => {
  const without = parseAccessLogAttributes(
    attributes({ RESPONSE_DURATION: '123', authz_duration: '-', 'http.status_code': '429' }),
  );
  assert.ok(
    without.kind === 'flow' &&
      without.flow.responseDurationMs === 123 &&
      without.flow.latencyMs === undefined,
  );
  const negative = parseAccessLogAttributes(
    attributes({ RESPONSE_DURATION: '10', authz_duration: '23', 'http.status_code': '200' }),
  );
  assert.ok(negative.kind === 'flow' && negative.flow.latencyMs === undefined);
});

test('stalled: RESPONSE_DURATION - with DURATION set gives latency DURATION − authz_duration, status Error', () => {
  const stalled = parseAccessLogAttributes(
    attributes({ RESPONSE_DURATION: '-', DURATION: '1030', authz_duration: '30', 'http.status_code': '504' }),
  );
  assert.ok(stalled.kind === 'flow');
  assert.deepEqual(
    [stalled.flow.stalled, stalled.flow.latencyMs, stalled.flow.flowStatus, stalled.flow.statusCode],
    [true, 1000, 'Error', 504],
  );
  // The client went away before any response: status 0, still a stall.
  const gone = parseAccessLogAttributes(attributes({ DURATION: '800', 'http.status_code': '0' }));
  assert.ok(gone.kind === 'flow');
  assert.deepEqual([gone.flow.stalled, gone.flow.latencyMs, gone.flow.flowStatus], [true, 800, 'Error']);
  // DURATION shorter than the ext_authz duration gives no latency (counted as negative-latency).
  const negative = parseAccessLogAttributes(attributes({ DURATION: '5', authz_duration: '9' }));
  assert.ok(negative.kind === 'flow' && negative.flow.stalled && negative.flow.latencyMs === undefined);
});

test('not stalled: a response duration, no DURATION, or a rejected flow (Sluice\u2019s own local reply)', () => {
  const stalledOf = (values: Record<string, string>, overrides: Partial<DecisionRecordV1> = {}) => {
    const outcome = parseAccessLogAttributes(
      new Map(
        Object.entries({
          'aperture.check_response': encodeDecisionRecord({ ...record, ...overrides }),
          ...values,
        }),
      ),
    );
    return outcome.kind === 'flow' ? [outcome.flow.stalled, outcome.flow.latencyMs] : outcome.kind;
  };
  assert.deepEqual(
    stalledOf({ RESPONSE_DURATION: '50', DURATION: '52', authz_duration: '10', 'http.status_code': '200' }),
    [false, 40],
  );
  assert.deepEqual(stalledOf({ RESPONSE_DURATION: '-', DURATION: '-', authz_duration: '10' }), [
    false,
    undefined,
  ]);
  assert.deepEqual(stalledOf({ DURATION: '3', 'http.status_code': '503' }, { decision: 'rejected' }), [
    false,
    undefined,
  ]);
  // A DURATION that is read and is not a number makes the record malformed, like any read attribute.
  assert.equal(stalledOf({ DURATION: 'forever' }), 'malformed');
  // ... but it is not read when the flow has a response duration.
  assert.deepEqual(stalledOf({ RESPONSE_DURATION: '20', DURATION: 'forever', authz_duration: '5' }), [
    false,
    15,
  ]);
});

test('2xx/3xx are OK; 503, 0 and - are Error', () => {
  const status = (code: string) => {
    const outcome = parseAccessLogAttributes(attributes({ 'http.status_code': code }));
    return outcome.kind === 'flow' ? outcome.flow.flowStatus : 'none';
  };
  assert.deepEqual(['200', '302', '101', '503', '429', '0', '-'].map(status), [
    'OK',
    'OK',
    'OK',
    'Error',
    'Error',
    'Error',
    'Error',
  ]);
});

test('a record whose decision is - is skipped; garbage is malformed', () => {
  assert.deepEqual(parseAccessLogAttributes(new Map([['aperture.check_response', '-']])), {
    kind: 'no-decision',
  });
  assert.equal(
    parseAccessLogAttributes(new Map([['aperture.check_response', 'bm90IGpzb24=']])).kind,
    'malformed',
  );
  const badNumber = parseAccessLogAttributes(attributes({ RESPONSE_DURATION: 'soon' }));
  assert.deepEqual(badNumber, {
    kind: 'malformed',
    reason: 'attribute-value',
    detail: 'attribute RESPONSE_DURATION is "soon", not a number >= 0',
  });
});

test('a negative duration or a decision that is not a scalar is malformed, each with its reason', () => {
  assert.deepEqual(parseAccessLogAttributes(attributes({ authz_duration: '-5' })), {
    kind: 'malformed',
    reason: 'attribute-value',
    detail: 'attribute authz_duration is "-5", not a number >= 0',
  });
  assert.deepEqual(parseAccessLogAttributes(new Map([['aperture.check_response', null]])), {
    kind: 'malformed',
    reason: 'attribute-type',
    detail: 'attribute aperture.check_response is not a scalar value',
  });
  assert.equal(
    (parseAccessLogAttributes(new Map([['aperture.check_response', 'bm90IGpzb24=']])) as { reason: string })
      .reason,
    'decision-record',
  );
});

test('OTLP attributes flatten to strings', () => {
  const map = attributeMap([
    { key: 'a', value: { string_value: 'x' } },
    { key: 'b', value: { int_value: '42' } },
    { key: 'c', value: { bool_value: true } },
    { key: 'd', value: null },
    { key: 'e', value: { array_value: { values: [] } } },
  ]);
  assert.deepEqual(
    [...map],
    [
      ['a', 'x'],
      ['b', '42'],
      ['c', 'true'],
      ['e', null],
    ],
  );
});

test('the decision metadata goes through the reader: its refusal or malformed verdict is the outcome', () => {
  const values = attributes({ RESPONSE_DURATION: '5', authz_duration: '1' });
  const read: string[] = [];
  assert.deepEqual(
    parseAccessLogAttributes(values, (encoded) => {
      read.push(encoded);
      return { kind: 'refused', reason: 'bad-mac', detail: 'forged' };
    }),
    { kind: 'refused', reason: 'bad-mac', detail: 'forged' },
  );
  assert.deepEqual(read, [encodeDecisionRecord(record)]);
  assert.deepEqual(
    parseAccessLogAttributes(values, () => ({ kind: 'malformed', detail: 'not a record' })),
    { kind: 'malformed', reason: 'decision-record', detail: 'not a record' },
  );
  const flow = parseAccessLogAttributes(values, () => ({ kind: 'record', record }));
  assert.equal(flow.kind === 'flow' ? flow.flow.latencyMs : -1, 4);
});
