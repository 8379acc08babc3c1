import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/manual-clock/manual-clock.js';

describe('ManualClock', () => {
  it('starts where told and keeps wall time a fixed offset from monotonic time', () => {
    const clock = new ManualClock({ startMs: 1_000, wallStartMs: 1_700_000_000_000 });
    assert.equal(clock.now(), 1_000);
    assert.equal(clock.wallNow(), 1_700_000_000_000);
    clock.advance(2_500);
    assert.equal(clock.now(), 3_500);
    assert.equal(clock.wallNow(), 1_700_000_002_500);
    const defaults = new ManualClock();
    assert.deepEqual([defaults.now(), defaults.wallNow()], [0, 1_700_000_000_000]);
  });

  it('fires timers in deadline order, equal deadlines in scheduling order, each at its own time', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const note = (name: string) => () => fired.push(`${name}@${clock.now()}`);
    clock.setTimer(30, note('c'));
    clock.setTimer(10, note('a1'));
    clock.setTimer(10, note('a2'));
    clock.setTimer(20, note('b'));
    clock.setTimer(-5, note('z'));
    clock.advance(25);
    assert.deepEqual(fired, ['z@0', 'a1@10', 'a2@10', 'b@20']);
    assert.equal(clock.now(), 25);
    assert.equal(clock.pendingTimers, 1);
    clock.advance(5);
    assert.deepEqual(fired.slice(4), ['c@30']);
    assert.equal(clock.pendingTimers, 0);
  });

  it('never fires a cancelled timer or interval, and cancelling twice or after firing is harmless', () => {
    const clock = new ManualClock();
    let timerFires = 0;
    let intervalFires = 0;
    const timer = clock.setTimer(10, () => timerFires++);
    const interval = clock.setInterval(10, () => intervalFires++);
    clock.advance(25);
    assert.deepEqual([timerFires, intervalFires], [1, 2]);
    timer.cancel();
    interval.cancel();
    interval.cancel();
    clock.advance(100);
    assert.deepEqual([timerFires, intervalFires], [1, 2]);
    const never = clock.setTimer(1, () => timerFires++);
    never.cancel();
    clock.advance(1);
    assert.equal(timerFires, 1);
    assert.equal(clock.pendingTimers, 0);
  });

  it('fires an interval once per period across a large advance, interleaved with timers by deadline', () => {
    const clock = new ManualClock({ startMs: 5 });
    const ticks: number[] = [];
    clock.setInterval(1_000, () => ticks.push(clock.now()));
    const marks: number[] = [];
    clock.setTimer(2_500, () => marks.push(ticks.length));
    clock.advance(1_000_000);
    assert.equal(ticks.length, 1_000);
    assert.equal(ticks[0], 1_005);
    assert.equal(ticks[999], 1_000_005);
    assert.ok(ticks.every((at, i) => at === 5 + (i + 1) * 1_000));
    assert.deepEqual(marks, [2]);
  });

  it('fires timers scheduled from callbacks within the same advance when they fall due inside it', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimer(10, () => {
      fired.push(clock.now());
      clock.setTimer(0, () => fired.push(clock.now()));
      clock.setTimer(15, () => fired.push(clock.now()));
      clock.setTimer(50, () => fired.push(clock.now()));
    });
    clock.advance(30);
    assert.deepEqual(fired, [10, 10, 25]);
    assert.equal(clock.pendingTimers, 1);
    clock.advance(30);
    assert.deepEqual(fired, [10, 10, 25, 60]);
  });

  it('lets an interval cancel itself from its own callback', () => {
    const clock = new ManualClock();
    let count = 0;
    const interval = clock.setInterval(7, () => {
      count++;
      if (count === 3) interval.cancel();
    });
    clock.advance(700);
    assert.equal(count, 3);
  });

  it('rejects intervals and advances that would loop forever or go backwards, naming the value', () => {
    const clock = new ManualClock();
    assert.throws(() => clock.setInterval(0, () => {}), /intervalMs is 0; allowed: a finite number above 0/);
    assert.throws(() => clock.setInterval(Number.NaN, () => {}), /intervalMs is NaN/);
    assert.throws(() => clock.advance(-1), /ms is -1; allowed: a finite number, 0 or more/);
    assert.equal(clock.now(), 0);
  });
});
