import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { RecordKey, RecordKeyError, RecordKeyRing } from '../src/record-key/record-key-ring.js';

const keyA = Buffer.alloc(32, 1);
const keyB = Buffer.alloc(32, 2);

test('the MAC is HMAC-SHA256(key, tag ‖ 0 ‖ peer IP ‖ 0 ‖ body) cut to 16 bytes, base64url', () => {
  const expected = createHmac('sha256', keyA)
    .update('sluice.decision-record.v2\u000010.0.0.7\u0000eyJhIjoxfQ')
    .digest()
    .subarray(0, 16)
    .toString('base64url');
  const key = new RecordKey(keyA);
  assert.equal(key.mac('10.0.0.7', 'eyJhIjoxfQ'), expected);
  assert.equal(expected.length, 22);
  assert.equal(key.verify('10.0.0.7', 'eyJhIjoxfQ', expected), true);
});

test('a MAC verifies only for its key, peer and exact body text', () => {
  const key = new RecordKey(keyA);
  const mac = key.mac('10.0.0.7', 'eyJhIjoxfQ');
  assert.equal(key.verify('10.0.0.8', 'eyJhIjoxfQ', mac), false, 'another peer');
  assert.equal(key.verify('10.0.0.7', 'eyJhIjoxfR', mac), false, 'another body');
  // base64url decoders ignore a stray character; the MAC covers the text, so this is refused too.
  assert.equal(key.verify('10.0.0.7', 'eyJhIjoxfQ=', mac), false, 'the same bytes written otherwise');
  assert.equal(new RecordKey(keyB).verify('10.0.0.7', 'eyJhIjoxfQ', mac), false, 'another key');
  assert.equal(key.verify('10.0.0.7', 'eyJhIjoxfQ', mac.slice(0, 21)), false, 'a short MAC');
  assert.equal(key.verify('10.0.0.7', 'eyJhIjoxfQ', `${mac}A`), false, 'a long MAC');
  // The peer and the body are separated: moving a character from one to the other changes the MAC.
  assert.notEqual(key.mac('10.0.0.7', 'x'), key.mac('10.0.0.7x', ''));
});

test('key ids are 8 base64url characters, differ between keys and say nothing of the key bytes', () => {
  const a = new RecordKey(keyA);
  const b = new RecordKey(keyB);
  assert.match(a.id, /^[A-Za-z0-9_-]{8}$/);
  assert.notEqual(a.id, b.id);
  assert.equal(new RecordKey(Buffer.from(keyA)).id, a.id, 'stable for the same key');
  assert.ok(!keyA.toString('base64url').includes(a.id));
});

test('keys shorter than 16 or longer than 4096 bytes are refused with the sizes allowed', () => {
  for (const size of [0, 15, 4097])
    assert.throws(
      () => new RecordKey(Buffer.alloc(size, 7)),
      (error: Error) =>
        error instanceof RecordKeyError &&
        error.message === `a record key is ${size} bytes; it must be 16 to 4096 bytes`,
    );
  assert.equal(new RecordKey(Buffer.alloc(16, 7)).id.length, 8);
  assert.equal(new RecordKey(Buffer.alloc(4096, 7)).id.length, 8);
});

test('rotation: the new key signs, the one before still verifies, the one before that is gone', () => {
  const ring = new RecordKeyRing(keyA);
  const first = ring.current;
  assert.equal(ring.previous, undefined);
  assert.equal(ring.rotate(Buffer.from(keyA)), false, 'the same key again changes nothing');
  assert.equal(ring.rotate(keyB), true);
  assert.equal(ring.previous, first);
  assert.equal(ring.byId(first.id), first);
  assert.equal(ring.byId(ring.current.id), ring.current);
  const keyC = Buffer.alloc(32, 3);
  ring.rotate(keyC);
  assert.equal(ring.byId(first.id), undefined, 'two rotations back');
  assert.equal(ring.byId(new RecordKey(keyB).id)?.id, new RecordKey(keyB).id);
  assert.throws(() => ring.rotate(Buffer.alloc(3)), RecordKeyError);
  assert.equal(ring.current.id, new RecordKey(keyC).id, 'a refused key leaves the ring as it was');
});
