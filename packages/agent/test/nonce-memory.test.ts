import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NonceMemory } from '../src/access-log/nonce-memory.js';

/** 16 base64url characters from a counter, the first 10 distinct per value (what the fingerprint reads). */
function nonce(i: number): string {
  const bytes = Buffer.alloc(12);
  bytes.writeUIntBE(i, 0, 6);
  return bytes.toString('base64url');
}

test('a nonce is fresh once, then replayed, within its generation and across', () => {
  const memory = new NonceMemory({ maxAgeMs: 80_000 });
  const now = 1_000_000;
  assert.equal(memory.seen(nonce(1), now), false);
  assert.equal(memory.remember(nonce(1), now, now), 'fresh');
  assert.equal(memory.seen(nonce(1), now), true);
  assert.equal(memory.remember(nonce(1), now, now + 5), 'replayed');
  assert.equal(memory.remember(nonce(2), now, now), 'fresh');
  assert.equal(memory.size, 2);
});

test('a nonce is looked up in the generation of the start its record carries', () => {
  const memory = new NonceMemory({ maxAgeMs: 80_000 });
  memory.remember(nonce(1), 1_000_000, 1_000_000);
  // The start time is signed: the same nonce with another start is another record's (which the
  // agent never writes), so only a record that carries both is a replay.
  assert.equal(memory.seen(nonce(1), 1_000_000 + 9_999), true, 'same 10 s generation');
  assert.equal(memory.seen(nonce(1), 1_000_000 + 10_000), false, 'next generation');
});

test('generations older than the max age are forgotten: memory holds at most 1.125 max ages of records', () => {
  const maxAgeMs = 80_000;
  const memory = new NonceMemory({ maxAgeMs });
  // 100 records per second for 10 max ages, each remembered when logged 1 s after its start.
  let peak = 0;
  for (let second = 0; second < 800; second++) {
    for (let i = 0; i < 100; i++) {
      const start = second * 1000 + i * 10;
      assert.equal(memory.remember(nonce(second * 100 + i), start, start + 1000), 'fresh');
    }
    peak = Math.max(peak, memory.size);
    assert.ok(memory.oldestStartMs(second * 1000 + 1000) === second * 1000 + 1000 - maxAgeMs);
  }
  assert.ok(peak <= 100 * 90, `${peak} nonces held at most (100/s × 90 s)`);
  assert.ok(peak >= 100 * 80, `${peak}: every record within the max age is still there`);
  assert.equal(memory.seen(nonce(0), 0), false, 'the first generation is gone');
  assert.equal(memory.seen(nonce(799 * 100), 799_000), true);
});

test('full: the oldest generation goes early and the window shrinks; replays stay refused', () => {
  const memory = new NonceMemory({ maxAgeMs: 80_000, maxNonces: 1000 });
  // 500 records in each of the generations starting at 0 s and 10 s.
  for (let i = 0; i < 500; i++) memory.remember(nonce(i), 0, 20_000);
  for (let i = 500; i < 1000; i++) memory.remember(nonce(i), 10_000, 20_000);
  assert.equal(memory.oldestStartMs(20_000), -60_000);
  assert.equal(memory.remember(nonce(1000), 20_000, 20_000), 'fresh');
  assert.equal(memory.size, 501);
  // Records that started before 10 s are no longer checked: the caller refuses them as expired.
  assert.equal(memory.oldestStartMs(20_000), 10_000);
  assert.equal(memory.remember(nonce(600), 10_000, 20_000), 'replayed');
});

test('full of records no older than the new one: refused rather than forgetting a newer generation', () => {
  const memory = new NonceMemory({ maxAgeMs: 80_000, maxNonces: 10 });
  for (let i = 0; i < 10; i++) memory.remember(nonce(i), 50_000, 50_000);
  assert.equal(memory.remember(nonce(10), 50_000, 50_000), 'full');
  assert.equal(
    memory.remember(nonce(11), 40_000, 50_000),
    'full',
    'an older record cannot push newer ones out',
  );
  assert.equal(
    memory.remember(nonce(12), 60_000, 60_000),
    'fresh',
    'a newer one pushes the old generation out',
  );
  assert.equal(memory.oldestStartMs(60_000), 60_000);
});

test('a max age or capacity that is not positive is refused', () => {
  assert.throws(() => new NonceMemory({ maxAgeMs: 0 }), /maxAgeMs 0 must be a positive number/);
  assert.throws(
    () => new NonceMemory({ maxAgeMs: 1000, maxNonces: 0 }),
    /maxNonces 0 must be a whole number/,
  );
});
