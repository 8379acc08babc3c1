import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationMs } from '../src/index.js';
import { formatDuration } from '../src/duration.js';

test('durations convert to milliseconds', () => {
  const cases: [string, number][] = [
    ['25ms', 25],
    ['0.25s', 250],
    ['1.5s', 1500],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['1800s', 1_800_000],
  ];
  for (const [text, ms] of cases) assert.equal(durationMs(text), ms, text);
});

test('a malformed duration throws naming the value', () => {
  for (const bad of ['', '5', '5 s', '-1s', '1d', 's']) {
    assert.throws(() => durationMs(bad), new RegExp(`"${bad}" is not a duration`));
  }
});

test('formatDuration picks the largest exact unit', () => {
  assert.deepEqual([1_800_000, 5000, 250, 3_600_000, 0].map(formatDuration), [
    '30m',
    '5s',
    '250ms',
    '1h',
    '0s',
  ]);
});
