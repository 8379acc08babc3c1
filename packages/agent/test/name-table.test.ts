import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NameTable } from '../src/check/name-table.js';

test('text is Buffer’s UTF-8 decoding of the range, invalid sequences included, first time and after', () => {
  const table = new NameTable(64, 16);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 24 }), fc.nat(4), (bytes, pad) => {
      const buf = Buffer.concat([Buffer.alloc(pad, 0x41), Buffer.from(bytes), Buffer.alloc(pad, 0x42)]);
      const expected = buf.toString('utf8', pad, pad + bytes.length);
      assert.equal(table.text(buf, pad, pad + bytes.length), expected);
      assert.equal(table.text(Buffer.from(buf), pad, pad + bytes.length), expected);
    }),
    { seed: 7, numRuns: 2_000 },
  );
});

test('a name is decoded once: later reads of the same bytes return the string it kept', () => {
  const table = new NameTable();
  const first = table.text(Buffer.from('xuser-agent'), 1, 11);
  const request = Buffer.from('user-agent');
  assert.equal(table.text(request, 0, 10), first);
  // Kept as a copy: changing the request buffer afterwards changes nothing the table answers.
  request.write('USER', 0);
  assert.equal(table.text(Buffer.from('user-agent'), 0, 10), 'user-agent');
});

test('bounded: past its capacity, or for long names, it decodes without keeping', () => {
  const table = new NameTable(3, 8);
  const names = ['a', 'b', 'c', 'd', 'e', 'a-very-long-name'];
  for (const name of names) assert.equal(table.text(Buffer.from(name), 0, Buffer.byteLength(name)), name);
  // The fourth and later names were decoded correctly, and the table still answers for the first three.
  for (const name of names) assert.equal(table.text(Buffer.from(name), 0, Buffer.byteLength(name)), name);
  assert.equal((table as unknown as { size: number }).size, 3);
});

test('isLowerCase says whether a name is its own lower case', () => {
  const table = new NameTable();
  for (const [name, lower] of [
    ['x-user', true],
    ['X-User', false],
    [':path', true],
    ['ÄB', false],
    ['', true],
  ] as const)
    for (let round = 0; round < 2; round++) assert.equal(table.isLowerCase(name), lower, name);
});
