import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordVerifier, type RecordRead } from '../src/access-log/record-verifier.js';
import { encodeDecisionRecord, type DecisionRecord } from '../src/check/decision-record.js';
import { RecordKeyRing } from '../src/record-key/record-key-ring.js';
import { RecordSigner } from './support/record-signer.js';

const PEER = '10.0.0.7';
const START = 1_764_000_000_000;

function setup(options: { acceptV1Records?: boolean; maxNonces?: number } = {}) {
  const signer = new RecordSigner();
  const keys = new RecordKeyRing(signer.key);
  const clock = { now: START + 1_000 };
  const verifier = new RecordVerifier({
    keys,
    wallClockMs: () => clock.now,
    acceptV1Records: options.acceptV1Records ?? false,
    maxRecordAgeMs: 300_000,
    ...(options.maxNonces === undefined ? {} : { maxNonces: options.maxNonces }),
  });
  return { signer, keys, clock, verifier };
}

function recordOf(read: RecordRead): DecisionRecord {
  assert.equal(read.kind, 'record', JSON.stringify(read));
  return (read as { record: DecisionRecord }).record;
}

const reason = (read: RecordRead) =>
  read.kind === 'record' ? 'record' : read.kind === 'refused' ? read.reason : 'malformed';

test('a record signed by this agent for the sending peer is read, and admitted once', () => {
  const { signer, verifier } = setup();
  const encoded = signer.sign({ startedAtMs: START }, PEER);
  const record = recordOf(verifier.read(encoded, PEER));
  assert.equal(record.v, 2);
  assert.equal(record.controlPoint, 'ingress');
  assert.equal(verifier.admit(record, { responseDurationMs: 40, authzDurationMs: 1 }), undefined);
  assert.equal(verifier.rememberedNonces, 1);
  // The same record again (an attacker's replay, or a log sent twice): read, but not admitted.
  const again = recordOf(verifier.read(encoded, PEER));
  assert.equal(verifier.admit(again, { responseDurationMs: 5_000, authzDurationMs: 1 })?.reason, 'replayed');
  assert.equal(verifier.admit(again, { responseDurationMs: 40, authzDurationMs: 1 })?.reason, 'replayed');
});

test('from another peer, altered, or signed with another key: refused before anything else is read', () => {
  const { signer, verifier } = setup();
  const encoded = signer.sign({ startedAtMs: START }, PEER);
  assert.equal(reason(verifier.read(encoded, '10.0.0.8')), 'bad-mac', 'another pod sends a real record');
  const [, body, mac] = encoded.split('.') as [string, string, string];
  const json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  const altered = Buffer.from(JSON.stringify({ ...json, decision: 'rejected' })).toString('base64url');
  assert.equal(reason(verifier.read(`2.${altered}.${mac}`, PEER)), 'bad-mac', 'an altered body');
  assert.equal(reason(verifier.read(`2.${body}.${'A'.repeat(22)}`, PEER)), 'bad-mac', 'a made-up MAC');
  assert.equal(reason(verifier.read(`2.e30.${'A'.repeat(22)}`, PEER)), 'bad-mac', 'no key id at all');
  const unterminated = Buffer.from('{"keyId":"abc').toString('base64url');
  assert.equal(reason(verifier.read(`2.${unterminated}.${'A'.repeat(22)}`, PEER)), 'bad-mac');
  const stranger = new RecordSigner();
  assert.equal(reason(verifier.read(stranger.sign({ startedAtMs: START }, PEER), PEER)), 'unknown-key');
  const read = verifier.read(stranger.sign({ startedAtMs: START }, PEER), PEER);
  assert.match(
    read.kind === 'refused' ? read.detail : '',
    /^signed with key ".{8}", which this agent does not hold$/,
  );
});

test('v1 records are refused unless acceptV1Records is on; then read, durations checked, never nonce-checked', () => {
  const v1 = encodeDecisionRecord({
    v: 1,
    controlPoint: 'ingress',
    services: [],
    decision: 'accepted',
    components: [],
    fluxMeters: [{ policyName: 'policy', name: 'policy' }],
    labels: {},
    startedAtMs: START,
    processingMs: 2,
  });
  assert.equal(reason(setup().verifier.read(v1, PEER)), 'v1-record');
  const { verifier } = setup({ acceptV1Records: true });
  const record = recordOf(verifier.read(v1, PEER));
  assert.equal(record.v, 1);
  assert.equal(verifier.admit(record, { responseDurationMs: 900, authzDurationMs: 2 }), undefined);
  assert.equal(
    verifier.admit(record, { responseDurationMs: 900, authzDurationMs: 2 }),
    undefined,
    'no nonce',
  );
  assert.equal(verifier.admit(record, { responseDurationMs: 5_000 })?.reason, 'implausible-duration');
});

test('malformed values are told apart from refused ones', () => {
  const { verifier } = setup();
  for (const value of ['garbage!', '2.', '2.abc', '2..mac', '2.a.b.c', 'bm90IGpzb24='])
    assert.equal(verifier.read(value, PEER).kind, 'malformed', value);
});

test('age: older than maxRecordAgeMs is expired, a start in the future is refused', () => {
  const { signer, clock, verifier } = setup();
  clock.now = START + 300_000;
  assert.equal(reason(verifier.read(signer.sign({ startedAtMs: START }, PEER), PEER)), 'record');
  clock.now = START + 300_001;
  assert.equal(reason(verifier.read(signer.sign({ startedAtMs: START }, PEER), PEER)), 'expired');
  assert.equal(reason(verifier.read(signer.sign({ startedAtMs: clock.now + 250 }, PEER), PEER)), 'record');
  assert.equal(
    reason(verifier.read(signer.sign({ startedAtMs: clock.now + 251 }, PEER), PEER)),
    'future-start',
  );
});

test('implausible durations are refused and leave the nonce for the real log', () => {
  const { signer, clock, verifier } = setup();
  const record = recordOf(verifier.read(signer.sign({ startedAtMs: START, processingMs: 6.2 }, PEER), PEER));
  clock.now = START + 100;
  // A forged 5 s latency 100 ms after the Check, and an ext_authz duration below the agent's time.
  assert.equal(
    verifier.admit(record, { responseDurationMs: 5_000, authzDurationMs: 7 })?.reason,
    'implausible-duration',
  );
  assert.equal(
    verifier.admit(record, { responseDurationMs: 50, authzDurationMs: 5 })?.reason,
    'implausible-authz-duration',
  );
  assert.equal(verifier.rememberedNonces, 0);
  assert.equal(verifier.admit(record, { responseDurationMs: 50, authzDurationMs: 6 }), undefined);
  assert.equal(verifier.rememberedNonces, 1);
});

test('after a rotation the previous key still verifies; two rotations later it does not', () => {
  const { signer, keys, verifier } = setup();
  const before = signer.sign({ startedAtMs: START }, PEER);
  keys.rotate(Buffer.alloc(32, 9));
  assert.equal(reason(verifier.read(before, PEER)), 'record');
  keys.rotate(Buffer.alloc(32, 10));
  assert.equal(reason(verifier.read(before, PEER)), 'unknown-key');
});

test('a full nonce memory refuses new records rather than forget newer ones', () => {
  const { signer, verifier } = setup({ maxNonces: 3 });
  const admit = () => {
    const record = recordOf(verifier.read(signer.sign({ startedAtMs: START }, PEER), PEER));
    return verifier.admit(record, { responseDurationMs: 10, authzDurationMs: 1 })?.reason;
  };
  assert.deepEqual(
    [admit(), admit(), admit(), admit()],
    [undefined, undefined, undefined, 'nonce-memory-full'],
  );
});
