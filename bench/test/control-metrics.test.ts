import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  admittedShare,
  loopPerSecond,
  setpointBefore,
  timeUntil,
  upstreamSeconds,
  type LoopPoint,
} from '../src/control-quality/control-metrics.js';

const point = (t: number, loadMultiplier: number, setpointMs: number | null = 100): LoopPoint => ({
  t,
  passThrough: loadMultiplier >= 1,
  loadMultiplier,
  setpointMs,
  state: 'x',
});

test('react and recover are measured from the step and the drop to the first matching sample', () => {
  const samples = [
    point(9_000, 1, null),
    point(14_000, 1),
    point(16_500, 0.6),
    point(40_000, 0.5),
    point(52_000, 1),
  ];
  assert.equal(
    timeUntil(samples, 15_000, (s) => !s.passThrough && s.loadMultiplier < 1),
    1_500,
  );
  assert.equal(
    timeUntil(samples, 45_000, (s) => s.passThrough),
    7_000,
  );
  assert.ok(Number.isNaN(timeUntil(samples, 60_000, () => true)));
  assert.equal(setpointBefore(samples, 15_000), 100);
  assert.deepEqual(
    loopPerSecond(samples, 17).map((s) => s?.t),
    [
      ...Array.from({ length: 9 }, () => undefined),
      9_000,
      undefined,
      undefined,
      undefined,
      undefined,
      14_000,
      undefined,
      16_500,
    ],
  );
});

test('admitted share counts seconds by send time inside the window; upstream seconds lie wholly inside it', () => {
  const second = (n: number, offered: number, admitted: number) =>
    ({ second: n, offered, admitted }) as unknown as Parameters<typeof admittedShare>[0][number];
  const share = admittedShare(
    [second(14, 10, 10), second(15, 10, 5), second(16, 10, 3), second(17, 10, 0)],
    15_000,
    17_000,
  );
  assert.deepEqual(share, { offered: 20, admitted: 8, share: 0.4 });
  assert.deepEqual(upstreamSeconds(2_300, 15_000, 45_000), { from: 18, to: 47 });
});
