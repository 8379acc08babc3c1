/**
 * The loop's failure signal (issue 15): services whose overload shows as fast 5xx or as stalls (no
 * upstream response until the proxy's route timeout answers 504) are throttled, a service with a
 * steady small error ratio is not, and a fast 503 never lowers the signal. Synthetic single steps
 * (setpoint 55 ms, baseline error ratio 2%), then closed loops in simulated time against the plant
 * (test/support/demo-upstream-plant.ts: 10 workers × 50 ms = 200 flows/s) in its `fast-503` and
 * `stall` modes, which answer 503 at once or hold the flow until a 1 s route timeout when every
 * worker is busy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AverageLatencyLoop } from '../src/control/average-latency-loop.js';
import { assertNear } from './support/assert-near.js';
import { ClosedLoopRun, type ClosedLoopTick } from './support/closed-loop-run.js';
import { loopConfig } from './support/loop-config.js';
import { seededRandom } from '@sluice/clock';
import { tickSample } from './support/tick-samples.js';
import { warmBaselines } from './support/warm-baselines.js';

/** A latency baseline of 50 ms (setpoint 55) and an error-ratio baseline of 2%, both warm. */
const baselines = () => warmBaselines({ failedPerHundred: 2 });

function loop(overrides: Parameters<typeof loopConfig>[0] = {}): AverageLatencyLoop {
  return new AverageLatencyLoop({ config: loopConfig(overrides), restoredBaseline: baselines() });
}

describe('AverageLatencyLoop, failures in single steps (setpoint 55, baseline error ratio 2%, observed LM 1.0)', () => {
  it('fast 503s, OK latency normal: 60 of 100 fail ⇒ overloaded by errors, LM = 0.4 ÷ 0.98 = 0.408, the signal stays 50', () => {
    const subject = loop();
    subject.record(tickSample({ ok: [40, 50], failed: 60 }));
    const { decision, status } = subject.tick();
    assert.deepEqual([status.overloaded, status.overloadCauses, status.signalMs], [true, ['errors'], 50]);
    assertNear(status.errorRatio, 0.6);
    assertNear(status.baselineErrorRatio, 0.02);
    assertNear(decision.loadMultiplier, 0.4 / 0.98);
    assert.equal(decision.passThrough, false);
  });

  it('a fast 503 never lowers the signal: OK at 110 ms with or without 100 fast 503s gives 110', () => {
    const without = loop();
    without.record(tickSample({ ok: [100, 110] }));
    const withErrors = loop();
    withErrors.record(tickSample({ ok: [100, 110], failed: 100 }));
    const [a, b] = [without.tick(), withErrors.tick()];
    assert.deepEqual([a.status.signalMs, b.status.signalMs], [110, 110]);
    // Both conditions hold; the cut is the deeper one: errors 0.5 ÷ 0.98 = 0.510 against latency 0.5.
    assert.deepEqual(b.status.overloadCauses, ['latency', 'errors']);
    assertNear(b.decision.loadMultiplier, 0.5);
    assertNear(a.decision.loadMultiplier, 0.5);
  });

  it('stalls count at their full duration: 100 OK at 50 ms and 50 stalled at 1000 ms ⇒ signal 366.7, LM 0.15', () => {
    const subject = loop();
    subject.record(tickSample({ ok: [100, 50], stalled: [50, 1000] }));
    const { decision, status } = subject.tick();
    assertNear(status.signalMs, 55_000 / 150);
    assert.deepEqual(status.overloadCauses, ['stalls', 'errors']);
    assertNear(decision.loadMultiplier, 55 / (55_000 / 150));
  });

  it('a window of failures only (no OK flow) is evidence, not silence: 100 fast 503s ⇒ LM 0.1 (minGradient)', () => {
    const subject = loop();
    subject.record(tickSample({ failed: 100 }));
    const { decision, status } = subject.tick();
    assert.deepEqual([status.state, status.signalMs, status.errorRatio], ['throttling', undefined, 1]);
    assertNear(decision.loadMultiplier, 0.1);
  });

  it('a steady error ratio is no overload: 7 of 100 fail at a 2% baseline (within the 5% tolerance)', () => {
    const subject = loop();
    subject.record(tickSample({ ok: [93, 50], failed: 7 }));
    const { decision, status } = subject.tick();
    assert.deepEqual([status.overloaded, decision.passThrough], [false, true]);
  });

  it('a failure-driven overload cuts again only while the latest tick fails too (stalls are reported late)', () => {
    const subject = loop();
    const multipliers: number[] = [];
    // Tick 1 fails (cut); ticks 2–10 are clean, but ticks 2–5 still hold tick 1 in the window.
    for (let tick = 1; tick <= 10; tick++) {
      subject.record(tick === 1 ? tickSample({ ok: [40, 50], failed: 60 }) : tickSample({ ok: [100, 50] }));
      multipliers.push(Number(subject.tick().decision.loadMultiplier.toFixed(3)));
    }
    assert.equal(multipliers[0], 0.408);
    assert.ok(
      multipliers.every((value) => value >= 0.408),
      `no second cut: ${multipliers.join(', ')}`,
    );
  });

  it('a rise in errors the throttle does not cure is released after 12 windows, and counted', () => {
    const subject = loop();
    let releasedAt = 0;
    for (let tick = 1; tick <= 200 && releasedAt === 0; tick++) {
      subject.record(tickSample({ ok: [60, 50], failed: 40 }));
      if (subject.tick().released) releasedAt = tick;
    }
    assert.equal(releasedAt, 60);
    assert.equal(subject.status.releases, 1);
    assert.equal(subject.decision().passThrough, true);
  });

  it('persists the error-ratio baseline with the latency baseline; a state saved without it turns the condition off until it warms up', () => {
    const subject = loop();
    const snapshot = subject.baselineSnapshot();
    assert.ok(snapshot.errors !== undefined);
    const restored = new AverageLatencyLoop({ config: loopConfig(), restoredBaseline: snapshot });
    restored.record(tickSample({ ok: [40, 50], failed: 60 }));
    assertNear(restored.tick().status.baselineErrorRatio, 0.02);

    const { errors: _errors, ...latencyOnly } = baselines();
    const old = new AverageLatencyLoop({ config: loopConfig(), restoredBaseline: latencyOnly });
    old.record(tickSample({ ok: [40, 50], failed: 60 }));
    const { status, decision } = old.tick();
    assert.deepEqual(
      [status.baselineErrorRatio, status.overloaded, decision.passThrough],
      [undefined, false, true],
    );
  });
});

const CAPACITY = 200;
const ROUTE_TIMEOUT_MS = 1000;

interface FailureOutcome {
  readonly run: ClosedLoopRun;
  readonly stepAt: number;
  readonly dropAt: number;
}

/** 120 s at half capacity (warm-up), 120 s at 3×, 120 s at half. */
function failureScenario(mode: 'fast-503' | 'stall', seed: number, dryRun = false): FailureOutcome {
  const run = new ClosedLoopRun({
    plant: { seed, overloadMode: mode, routeTimeoutMs: ROUTE_TIMEOUT_MS },
    config: { dryRun },
  });
  run.plant.setArrivalRate(0.5 * CAPACITY);
  run.runUntil(120_000);
  const stepAt = run.plant.now;
  run.plant.setArrivalRate(3 * CAPACITY);
  run.runUntil(stepAt + 120_000);
  const dropAt = run.plant.now;
  run.plant.setArrivalRate(0.5 * CAPACITY);
  run.runUntil(dropAt + 120_000);
  return { run, stepAt, dropAt };
}

const sum = (ticks: readonly ClosedLoopTick[], pick: (tick: ClosedLoopTick) => number) =>
  ticks.reduce((total, tick) => total + pick(tick), 0);

/** Share of the admitted flows that failed (5xx or stalled) in these ticks. */
const failedShare = (ticks: readonly ClosedLoopTick[]) =>
  sum(ticks, (t) => t.failed) / sum(ticks, (t) => t.flows);
/** OK flows per tick ÷ capacity. */
const goodput = (ticks: readonly ClosedLoopTick[]) =>
  sum(ticks, (t) => t.completed - (t.failed - t.stalled)) / (CAPACITY * ticks.length);

describe('closed loop: an upstream whose overload shows as fast 503s or as stalls, step to 3× capacity', () => {
  const bounds = {
    // The tick of the first report that holds the step's failures: at once for a fast 503, one route
    // timeout later for a stall.
    'fast-503': { firstFailingReportMs: 1000, goodput: 0.9, failedShare: 0.12, unprotected: 0.6 },
    // Stalls surface a route timeout late, so each probe of the additive increase overshoots before
    // they show, and a signal of 1 s stalls cuts deep: goodput pays for it.
    stall: { firstFailingReportMs: 2000, goodput: 0.6, failedShare: 0.15, unprotected: 0.6 },
  } as const;
  for (const mode of ['fast-503', 'stall'] as const) {
    const bound = bounds[mode];
    for (const seed of [1, 2, 3]) {
      it(`${mode}, seed ${seed}: LM < 1 on the tick the first failures are reported (≤ ${bound.firstFailingReportMs / 1000} s after the step), failures ≤ ${bound.failedShare * 100}% (≥ ${bound.unprotected * 100}% unprotected), goodput ≥ ${bound.goodput * 100}%, pass-through ≤ 60 s after the drop`, () => {
        const { run, stepAt, dropAt } = failureScenario(mode, seed);
        const before = run.between(stepAt - 60_000, stepAt);
        assert.ok(
          before.every((tick) => tick.decision.passThrough && tick.status.overloadCauses.length === 0),
          'never throttled at half capacity, although the upstream fails now and then there too',
        );
        const firstFailing = run.ticks.find((tick) => tick.atMs > stepAt && tick.failed > 0.2 * tick.flows);
        const firstCut = run.ticks.find(
          (tick) => tick.atMs > stepAt && !tick.decision.passThrough && tick.decision.loadMultiplier < 1,
        );
        assert.ok(firstFailing !== undefined && firstCut !== undefined);
        assert.ok(
          firstFailing.atMs - stepAt <= bound.firstFailingReportMs,
          `first failing report ${firstFailing.atMs - stepAt} ms after the step`,
        );
        assert.equal(firstCut.atMs, firstFailing.atMs, 'LM < 1 on that very tick');

        const settled = run.between(stepAt + 30_000, dropAt);
        assert.ok(
          failedShare(settled) <= bound.failedShare,
          `failed share ${failedShare(settled).toFixed(3)}`,
        );
        assert.ok(goodput(settled) >= bound.goodput, `goodput ${goodput(settled).toFixed(3)}`);
        assert.equal(run.ticks.at(-1)?.status.releases, 0, 'a throttle that works is never released');

        const back = run.ticks.find((tick) => tick.atMs > dropAt && tick.decision.passThrough);
        assert.ok(back !== undefined, 'pass-through returns');
        assert.ok(back.atMs - dropAt <= 60_000, `pass-through ${back.atMs - dropAt} ms after the drop`);
        assert.ok(
          run.between(back.atMs, dropAt + 120_000).every((tick) => tick.decision.passThrough),
          'and stays',
        );
      });
    }
    it(`${mode}: unprotected (dryRun), ≥ ${bound.unprotected * 100}% of the flows fail at 3× capacity`, () => {
      const { run, stepAt, dropAt } = failureScenario(mode, 1, true);
      const share = failedShare(run.between(stepAt + 30_000, dropAt));
      assert.ok(share >= bound.unprotected, `failed share ${share.toFixed(3)}`);
      assert.ok(run.between(stepAt, dropAt).every((tick) => tick.decision.passThrough));
    });
  }
});

describe('closed loop: a healthy service is never throttled', () => {
  /** 30 simulated minutes at a load that changes every minute; the first 2 minutes warm up. */
  function healthyRun(
    mode: 'queue' | 'fast-503',
    seed: number,
    errorRatio: number,
    low: number,
    high: number,
  ) {
    const run = new ClosedLoopRun({ plant: { seed, overloadMode: mode, errorRatio } });
    const random = seededRandom(seed + 100);
    for (let minute = 0; minute < 30; minute++) {
      run.plant.setArrivalRate(CAPACITY * (low + (high - low) * random()));
      run.runUntil((minute + 1) * 60_000);
    }
    return run.ticks.filter((tick) => tick.atMs > 120_000);
  }

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: 5% random 500s at 0.3–0.6× capacity for 30 min: never overloaded, never throttled`, () => {
      const ticks = healthyRun('queue', seed, 0.05, 0.3, 0.6);
      assert.equal(ticks.filter((tick) => tick.status.overloaded).length, 0);
      assert.ok(ticks.every((tick) => tick.decision.passThrough));
      const baseline = ticks.at(-1)?.status.baselineErrorRatio ?? Number.NaN;
      assert.ok(Math.abs(baseline - 0.05) < 0.005, `baseline error ratio ${baseline}`);
    });

    it(`seed ${seed}: a fast-503 upstream at 0.35–0.55× capacity (1–2% 503s when all 10 workers are busy) for 30 min: never throttled`, () => {
      const ticks = healthyRun('fast-503', seed, 0, 0.35, 0.55);
      assert.equal(ticks.filter((tick) => tick.status.overloaded).length, 0);
      assert.ok(ticks.every((tick) => tick.decision.passThrough));
      const baseline = ticks.at(-1)?.status.baselineErrorRatio ?? Number.NaN;
      assert.ok(baseline > 0.005 && baseline < 0.03, `baseline error ratio ${baseline}`);
    });
  }
});
