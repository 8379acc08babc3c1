import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSystemClock, systemClock } from '../src/clock/system-clock.js';

describe('systemClock', () => {
  it('reads wall time near Date.now and monotonic time that never goes back', () => {
    const before = Date.now();
    const wall = systemClock.wallNow();
    assert.ok(wall >= before && wall <= Date.now(), `wall ${wall}`);
    const a = systemClock.now();
    const b = systemClock.now();
    assert.ok(b >= a);
    // Monotonic time counts from process start, far below epoch milliseconds.
    assert.ok(a < wall / 2, `monotonic ${a} vs wall ${wall}`);
  });

  it('fires a one-shot timer once, no earlier than its delay, and not after cancel', async () => {
    const start = systemClock.now();
    const firedAt = await new Promise<number>((resolve) =>
      systemClock.setTimer(20, () => resolve(systemClock.now())),
    );
    assert.ok(firedAt - start >= 19, `fired after ${firedAt - start} ms`);
    let cancelledFired = 0;
    systemClock.setTimer(1, () => cancelledFired++).cancel();
    await new Promise<void>((resolve) => systemClock.setTimer(10, resolve));
    assert.equal(cancelledFired, 0);
  });

  it('repeats an interval until cancelled, and rejects a non-positive interval', async () => {
    const clock = createSystemClock();
    let count = 0;
    await new Promise<void>((resolve) => {
      const interval = clock.setInterval(2, () => {
        count++;
        if (count === 3) {
          interval.cancel();
          resolve();
        }
      });
    });
    await new Promise<void>((resolve) => systemClock.setTimer(10, resolve));
    assert.equal(count, 3);
    assert.throws(() => clock.setInterval(-1, () => {}), /intervalMs is -1/);
  });
});
