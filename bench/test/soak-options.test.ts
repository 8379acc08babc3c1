import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSoakArgs, soakOutputName } from '../src/soak/soak-options.js';

test('10 minutes by default; --minutes in either form', () => {
  assert.deepEqual(parseSoakArgs([]), { minutes: 10 });
  assert.deepEqual(parseSoakArgs(['--minutes', '0.5']), { minutes: 0.5 });
  assert.deepEqual(parseSoakArgs(['--minutes=2']), { minutes: 2 });
  assert.equal(parseSoakArgs(['-h']), 'help');
});

test('a length that is not a number of minutes ≥ 0.25, or an unknown flag, is refused by name', () => {
  assert.throws(() => parseSoakArgs(['--minutes']), /--minutes: "" is not a number of minutes ≥ 0.25/);
  assert.throws(() => parseSoakArgs(['--minutes', 'ten']), /"ten" is not a number/);
  assert.throws(() => parseSoakArgs(['--minutes=0.1']), /"0.1" is not a number of minutes ≥ 0.25/);
  assert.throws(() => parseSoakArgs(['--quick']), /unknown argument "--quick"/);
});

test('only the standard 10-minute soak writes soak.json', () => {
  assert.equal(soakOutputName({ minutes: 10 }), 'soak');
  assert.equal(soakOutputName({ minutes: 0.5 }), 'soak-0.5min');
});
