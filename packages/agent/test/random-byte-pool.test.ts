import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RandomBytePool } from '../src/record-key/random-byte-pool.js';

test('the pool hands out fresh bytes, filling 4 KiB at a time from the injected source', () => {
  let fills = 0;
  const pool = new RandomBytePool((target) => {
    fills++;
    // A known pattern that never repeats: 32-bit words counting up, from a new base per fill.
    for (let i = 0; i < target.length; i += 4) target.writeUInt32BE(fills * 100_000 + i / 4, i);
  });
  const first = pool.base64url(12);
  assert.equal(fills, 1);
  const expected = Buffer.alloc(12);
  [100_000, 100_001, 100_002].forEach((word, i) => expected.writeUInt32BE(word, i * 4));
  assert.equal(first, expected.toString('base64url'));
  assert.equal(first.length, 16);
  const seen = new Set([first]);
  for (let i = 1; i < 341; i++) seen.add(pool.base64url(12));
  assert.equal(fills, 1, '341 nonces of 12 bytes come out of one fill');
  assert.equal(seen.size, 341, 'no piece handed out twice');
  pool.base64url(12);
  assert.equal(fills, 2, 'the 342nd needs a refill');
});

test('pieces are strings: a refill does not change what was handed out', () => {
  let value = 0;
  const pool = new RandomBytePool((target) => target.fill(++value));
  const before = pool.base64url(4096);
  pool.base64url(1);
  assert.equal(before, Buffer.alloc(4096, 1).toString('base64url'));
});

test('sizes outside 1 to 4096 are refused', () => {
  const pool = new RandomBytePool();
  for (const size of [0, -1, 4097, 1.5])
    assert.throws(() => pool.base64url(size), /size .* must be a whole number from 1 to 4096/);
  assert.notEqual(pool.base64url(12), pool.base64url(12), 'the system source by default');
});
