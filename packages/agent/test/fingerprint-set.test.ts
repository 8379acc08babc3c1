import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FingerprintSet } from '../src/access-log/fingerprint-set.js';

const word = fc.integer({ min: 0, max: 2 ** 30 - 1 });

test('holds exactly what was added, like a Set of the pairs, through its growth', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(word, word), { maxLength: 3000 }),
      fc.array(fc.tuple(word, word)),
      (added, probes) => {
        const set = new FingerprintSet();
        const reference = new Set<string>();
        for (const [high, low] of added) {
          const key = `${high}/${low}`;
          assert.equal(set.add(high, low), !reference.has(key));
          reference.add(key);
        }
        assert.equal(set.size, reference.size);
        for (const [high, low] of [...added, ...probes])
          assert.equal(set.has(high, low), reference.has(`${high}/${low}`));
      },
    ),
    { seed: 20_251_201, numRuns: 60 },
  );
});

test('zero words and colliding slots are told apart', () => {
  const set = new FingerprintSet();
  assert.equal(set.has(0, 0), false);
  assert.ok(set.add(0, 0));
  assert.ok(set.has(0, 0));
  // Same low word (same first slot), different high words.
  for (let high = 1; high < 50; high++) assert.ok(set.add(high, 0));
  for (let high = 0; high < 50; high++) assert.ok(set.has(high, 0));
  assert.equal(set.has(50, 0), false);
});

test('16 to 32 bytes per entry: the table doubles at half full', () => {
  const set = new FingerprintSet();
  assert.equal(set.bytes, 1024 * 8);
  for (let i = 0; i < 100_000; i++) set.add((i * 2654435761) % 2 ** 30, i);
  assert.equal(set.size, 100_000);
  const perEntry = set.bytes / set.size;
  assert.ok(perEntry >= 16 && perEntry <= 32, `${perEntry} bytes per entry`);
});
