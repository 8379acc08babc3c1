import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WindowedCounter } from '../src/load-scheduler/windowed-counter.js';

test('bootstraps until the window has filled once, then averages complete slots', () => {
  const counter = new WindowedCounter({ slots: 30, slotMs: 1000 });
  for (let second = 0; second < 30; second++) {
    counter.add(second * 1000 + 500, 100);
    assert.equal(counter.bootstrapping(second * 1000 + 600), true, `second ${second}`);
  }
  // At 30.0 s there are 30 complete slots of 100 tokens each.
  assert.equal(counter.bootstrapping(30_000), false);
  assert.equal(counter.ratePerSecond(30_000), 100);
  counter.add(30_500, 1000);
  assert.equal(counter.ratePerSecond(30_900), 100, 'the current slot does not count');
  assert.equal(counter.ratePerSecond(31_000), (29 * 100 + 1000) / 30);
});

test('idle slots count as zero, and a silence longer than the window restarts bootstrapping', () => {
  const counter = new WindowedCounter({ slots: 10, slotMs: 100 });
  for (let t = 0; t < 1000; t += 10) counter.add(t, 1);
  assert.equal(counter.bootstrapping(1000), false);
  assert.equal(counter.ratePerSecond(1000), 100);
  assert.equal(counter.ratePerSecond(1500), 50, 'half the window is empty');
  assert.equal(counter.bootstrapping(1950), false, 'a silence of one window is still the same period');
  counter.add(2050, 1);
  assert.equal(counter.bootstrapping(2050), true, 'window + 1 silent slots: bootstrapping again');
  assert.equal(counter.ratePerSecond(2050), 0);
});

test('rejects a window it cannot count', () => {
  assert.throws(() => new WindowedCounter({ slots: 0 }), /slots 0 must be an integer >= 1/);
  assert.throws(() => new WindowedCounter({ slotMs: 0 }), /slotMs 0 must be > 0/);
});

test('the default window is 5 s in half-second slots, so the rate follows a load step within seconds', () => {
  const counter = new WindowedCounter();
  assert.deepEqual([counter.slots, counter.slotMs], [10, 500]);
  // 20 tokens/s for 10 s, then a step to 60 tokens/s.
  for (let t = 0; t < 10_000; t += 50) counter.add(t, 1);
  assert.equal(counter.ratePerSecond(10_000), 20);
  for (let t = 10_000; t < 13_000; t += 1000 / 60) counter.add(t, 1);
  // 3 s after the step, 6 of the 10 slots carry the new rate: (4 × 20 + 6 × 60) / 10 = 44 tokens/s,
  // where a 30 s window would still read (27 × 20 + 3 × 60) / 30 = 24.
  assert.ok(Math.abs(counter.ratePerSecond(13_000) - 44) < 1, String(counter.ratePerSecond(13_000)));
});

test('the leading rate follows a step up within a second and keeps the mean otherwise', () => {
  const counter = new WindowedCounter();
  for (let t = 0; t < 10_000; t += 50) counter.add(t, 1);
  assert.equal(counter.leadingRatePerSecond(10_000), 20, 'steady: the mean');
  for (let t = 10_000; t < 11_000; t += 1000 / 60) counter.add(t, 1);
  // One second after a step from 20 to 60: the mean reads (8 × 20 + 2 × 60) / 10 = 28, the last second 60.
  assert.ok(Math.abs(counter.ratePerSecond(11_000) - 28) < 1, String(counter.ratePerSecond(11_000)));
  assert.ok(
    Math.abs(counter.leadingRatePerSecond(11_000) - 60) <= 1.5,
    String(counter.leadingRatePerSecond(11_000)),
  );
  // A rise of 40% (below STEP_UP_FACTOR) keeps the mean, so noise cannot bias the fill upwards.
  const noisy = new WindowedCounter();
  for (let t = 0; t < 10_000; t += 50) noisy.add(t, 1);
  for (let t = 10_000; t < 11_000; t += 1000 / 28) noisy.add(t, 1);
  assert.equal(noisy.leadingRatePerSecond(11_000), noisy.ratePerSecond(11_000));
  // A step down keeps the (higher) mean: admitting errs on the side of the load that was there.
  const falling = new WindowedCounter();
  for (let t = 0; t < 10_000; t += 1000 / 60) falling.add(t, 1);
  for (let t = 10_000; t < 11_000; t += 100) falling.add(t, 1);
  assert.equal(falling.leadingRatePerSecond(11_000), falling.ratePerSecond(11_000));
  assert.ok(falling.ratePerSecond(11_000) > 40);
});
