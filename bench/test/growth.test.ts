import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  growthChecks,
  growthWindows,
  handleGrowthCheck,
  rssGrowthCheck,
  seriesSummary,
  type ProcessSample,
} from '../src/soak/growth.js';

const MIB = 1024 * 1024;
const TEN_MINUTES = 600_000;

/** A sample every 5 s over 10 minutes, RSS and handles from the given functions of the time. */
function run(options: {
  readonly rssMib: (atMs: number) => number;
  readonly fds?: (atMs: number) => number;
  readonly handles?: (atMs: number) => number | undefined;
  readonly steady?: (atMs: number) => boolean;
}): ProcessSample[] {
  return Array.from({ length: 121 }, (_, index) => {
    const atMs = index * 5_000;
    return {
      atMs,
      rssBytes: options.rssMib(atMs) * MIB,
      openFds: options.fds?.(atMs) ?? 40,
      activeHandles: options.handles === undefined ? 22 : options.handles(atMs),
      heapUsedBytes: 60 * MIB,
      checksAnswered: atMs * 3,
      steadyConnections: options.steady?.(atMs) ?? true,
    };
  });
}

test('warm-up is the first 20% and the windows are 10% each: 2–3 min against 9–10 min of a 10-min soak', () => {
  assert.deepEqual(growthWindows(TEN_MINUTES), {
    warmUpEndMs: 120_000,
    referenceEndMs: 180_000,
    finalStartMs: 540_000,
    endMs: 600_000,
  });
  assert.throws(
    () => growthWindows(TEN_MINUTES, { warmUpShare: 0.5, windowShare: 0.3 }),
    /need warm-up \+ 2 windows ≤ the run/,
  );
});

test('RSS that settles after warm-up passes, whatever it did during warm-up', () => {
  // 100 MiB at the start, 200 MiB from minute 1 on: the first minutes are not compared.
  const samples = run({ rssMib: (atMs) => (atMs < 60_000 ? 100 : 200) });
  const check = rssGrowthCheck(samples, growthWindows(TEN_MINUTES));
  assert.equal(check.verdict, 'PASS');
  assert.equal(check.atWarmUpEnd, 200 * MIB);
  assert.equal(check.growthPercent, 0);
  assert.deepEqual(check.samples, { reference: 13, final: 13 });
});

test('RSS rising steadily after warm-up is a MISS at 10% and more', () => {
  // +4 MiB a minute from 200 MiB: about 200 → 228 MiB between the windows, 14%.
  const samples = run({ rssMib: (atMs) => 200 + (atMs / 60_000) * 4 });
  const check = rssGrowthCheck(samples, growthWindows(TEN_MINUTES));
  assert.equal(check.verdict, 'MISS');
  assert.ok(check.growthPercent > 10 && check.growthPercent < 15, String(check.growthPercent));
});

test('the median ignores single GC spikes in either window', () => {
  const samples = run({ rssMib: (atMs) => (atMs === 590_000 || atMs === 595_000 ? 400 : 200) });
  assert.equal(rssGrowthCheck(samples, growthWindows(TEN_MINUTES)).verdict, 'PASS');
});

test('exactly 10% RSS growth is a MISS: the limit is "under 10%"', () => {
  const samples = run({ rssMib: (atMs) => (atMs >= 540_000 ? 220 : 200) });
  const check = rssGrowthCheck(samples, growthWindows(TEN_MINUTES));
  assert.equal(check.growthPercent, 10);
  assert.equal(check.verdict, 'MISS');
});

test('handles: the final maximum may exceed the reference maximum by the margin, not more', () => {
  const windows = growthWindows(TEN_MINUTES);
  const within = handleGrowthCheck({
    name: 'fds',
    samples: run({ rssMib: () => 200, fds: (atMs) => (atMs >= 540_000 ? 44 : 40) }),
    windows,
    read: (sample) => sample.openFds,
    margin: 4,
  });
  assert.equal(within.verdict, 'PASS');
  assert.equal(within.growthAbsolute, 4);
  const leaking = handleGrowthCheck({
    name: 'fds',
    // One descriptor more every 10 s: a leak per policy push.
    samples: run({ rssMib: () => 200, fds: (atMs) => 40 + Math.floor(atMs / 10_000) }),
    windows,
    read: (sample) => sample.openFds,
    margin: 4,
  });
  assert.equal(leaking.verdict, 'MISS');
  assert.equal(leaking.atWarmUpEnd, 58);
  assert.equal(leaking.atEnd, 100);
});

test('samples taken while h2load segments hand over connections do not count for handles', () => {
  // Two segments' sockets at once (+16) at one handover inside the final window.
  const samples = run({
    rssMib: () => 200,
    fds: (atMs) => (atMs === 570_000 ? 56 : 40),
    steady: (atMs) => atMs !== 570_000,
  });
  const [, fds] = growthChecks(samples, growthWindows(TEN_MINUTES));
  assert.equal(fds?.verdict, 'PASS');
  assert.equal(fds?.atEnd, 40);
  assert.deepEqual(fds?.samples, { reference: 13, final: 12 });
});

test('an agent without the active-handles metric is a SKIP; missing samples in a window are a MISS', () => {
  const windows = growthWindows(TEN_MINUTES);
  const [, , handles] = growthChecks(run({ rssMib: () => 200, handles: () => undefined }), windows);
  assert.equal(handles?.verdict, 'SKIP');
  assert.equal(handles?.note, 'not exposed by the agent');
  const short = run({ rssMib: () => 200 }).filter((sample) => sample.atMs < 300_000);
  const [rss, fds] = growthChecks(short, windows);
  assert.equal(rss?.verdict, 'MISS');
  assert.equal(rss?.note, 'no samples in a window');
  assert.equal(fds?.verdict, 'MISS');
});

test('the series has one row per tenth of the run, with the Check rate from the agent counter', () => {
  const series = seriesSummary(
    run({ rssMib: (atMs) => 200 + atMs / 60_000, fds: (atMs) => 40 + (atMs % 60_000 === 0 ? 1 : 0) }),
    TEN_MINUTES,
  );
  assert.equal(series.length, 10);
  assert.equal(series[0]?.samples, 12);
  // The last row also holds the sample at exactly the end.
  assert.equal(series[9]?.samples, 13);
  assert.equal(series[0]?.openFdsMax, 41);
  assert.equal(series[0]?.checksPerSecond, 3_000);
  assert.equal(Math.round((series[9]?.rssMedianBytes ?? 0) / MIB), 210);
});
