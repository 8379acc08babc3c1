import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessLogBudget } from '../src/access-log/access-log-budget.js';
import { ManualClock } from './support/manual-clock.js';

test('starts with one second of records as burst, then admits at the rate', () => {
  const clock = new ManualClock(0);
  const budget = new AccessLogBudget({ clock, recordsPerSecond: 100 });
  assert.equal(budget.admit(60), 60);
  assert.equal(budget.admit(60), 40);
  assert.equal(budget.admit(1), 0);
  clock.advance(250);
  assert.equal(budget.admit(60), 25);
  clock.advance(10_000);
  assert.equal(budget.admit(1_000), 100, 'the burst never exceeds one second of records');
});

test('admits whole records only and never goes negative', () => {
  const clock = new ManualClock(0);
  const budget = new AccessLogBudget({ clock, recordsPerSecond: 10 });
  assert.equal(budget.admit(10), 10);
  clock.advance(150);
  assert.equal(budget.admit(5), 1);
  clock.advance(50);
  assert.equal(budget.admit(5), 1, '0.5 left over plus 0.5 accrued');
  assert.equal(budget.admit(0), 0);
  assert.equal(budget.admit(5), 0);
});

test('a rate that is not a positive number is refused by name', () => {
  const clock = new ManualClock(0);
  for (const recordsPerSecond of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => new AccessLogBudget({ clock, recordsPerSecond }),
      new RegExp(`recordsPerSecond ${recordsPerSecond} must be a positive number`),
    );
  }
});
