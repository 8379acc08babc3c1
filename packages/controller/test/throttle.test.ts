import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LOOP_TUNING } from '../src/control/loop-tuning.js';
import type { OverloadCondition } from '../src/control/overload-condition.js';
import {
  freshThrottle,
  measureBacklog,
  throttleFloor,
  throttleTick,
  type Throttle,
  type ThrottleTickInput,
} from '../src/control/throttle.js';
import type { TickReading } from '../src/control/tick-reading.js';
import type { TickSample } from '../src/control/tick-sample.js';
import { assertNear } from './support/assert-near.js';
import { loopConfig } from './support/loop-config.js';
import { tickSample } from './support/tick-samples.js';

const config = loopConfig({ signalWindowMs: 2000, releaseAfterWindows: 2 });
const fresh = freshThrottle(config, DEFAULT_LOOP_TUNING);
const calm = { ratio: 0.02, overloaded: false, gradient: 1 };

/** A reading at setpoint 55 of a window whose signal is `signalMs`, with 60 incoming tokens per tick. */
function reading(signalMs: number, parts: { errors?: TickReading['errors']; observed?: number } = {}) {
  const errors = parts.errors ?? calm;
  const overload: OverloadCondition = {
    overloaded: signalMs > 55 || errors.overloaded,
    causes: [
      ...(signalMs > 55 ? (['latency'] as const) : []),
      ...(errors.overloaded ? (['errors'] as const) : []),
    ],
    cutSignalMs: errors.overloaded ? Math.max(signalMs, 55 / errors.gradient) : signalMs,
    cutAllowed: signalMs > 55 || errors.overloaded,
  };
  const tick: TickReading = {
    signalMs,
    errors,
    observedLoadMultiplier: parts.observed,
    incomingPerTick: 60,
    evidence: true,
    setpointMs: 55,
    overload,
  };
  return { reading: tick, overload };
}

function input(tick: number, throttling: boolean, signalMs: number, extra: Partial<ThrottleTickInput> = {}) {
  return {
    tick,
    throttling,
    setpointMs: 55,
    backlogged: false,
    windowTicks: 2,
    config,
    ...reading(signalMs),
    ...extra,
  };
}

/** 20 of 60 admitted flows completed at `latencyMs`. */
const backlogTick = (latencyMs: number) => tickSample({ ok: [20, latencyMs], incoming: 60 });

describe('throttleTick (setpoint 55, window 2 ticks, release after 2 windows)', () => {
  it('changes nothing in pass-through without overload', () => {
    assert.deepEqual(throttleTick(fresh, input(1, false, 50), DEFAULT_LOOP_TUNING), {
      throttle: fresh,
      started: false,
      released: false,
      recovered: false,
    });
  });

  it('a cut out of pass-through starts a throttle: LM 0.5 at signal 110, the cut tick and the improvement window recorded', () => {
    const step = throttleTick(fresh, input(7, false, 110), DEFAULT_LOOP_TUNING);
    assert.deepEqual([step.started, step.released, step.recovered], [true, false, false]);
    assert.deepEqual(
      [step.throttle.loadMultiplier, step.throttle.lastCutTick, step.throttle.ticksSinceOverload],
      [0.5, 7, 0],
    );
    assert.deepEqual(step.throttle.improvement, {
      windowStartSignalMs: 110,
      ticksInWindow: 1,
      windowsWithoutImprovement: 0,
    });
    assert.deepEqual(step.throttle.probe, { gain: 1, ticksAtCap: 0, waitTicks: 30 });
  });

  it('an overload that may not cut yet (failures reported late) starts nothing but resets the probe wait', () => {
    const { reading: late, overload } = reading(110);
    const step = throttleTick(
      fresh,
      { ...input(1, false, 110), reading: late, overload: { ...overload, cutAllowed: false } },
      DEFAULT_LOOP_TUNING,
    );
    assert.deepEqual(
      [step.started, step.throttle.loadMultiplier, step.throttle.probe.waitTicks],
      [false, 2, 30],
    );
  });

  it('holds admission at the floor on every backlogged tick, cut or not', () => {
    const throttle: Throttle = {
      ...fresh,
      loadMultiplier: 0.5,
      lastCutTick: 9,
      capacity: { backlogSeen: true, ratio: 1 / 3, perTick: 20 },
      drainShare: 0.9,
    };
    const step = throttleTick(throttle, input(10, true, 500, { backlogged: true }), DEFAULT_LOOP_TUNING);
    assertNear(step.throttle.loadMultiplier, 0.9 / 3);
    assertNear(throttleFloor(throttle, 60), 0.9 / 3);
  });

  it('while errors overload, the cut goes below the capacity floor', () => {
    const throttle: Throttle = { ...fresh, capacity: { backlogSeen: true, ratio: 0.5, perTick: 30 } };
    const failing = reading(50, { errors: { ratio: 0.6, overloaded: true, gradient: 0.4 / 0.98 } });
    const step = throttleTick(throttle, { ...input(1, false, 50), ...failing }, DEFAULT_LOOP_TUNING);
    assertNear(step.throttle.loadMultiplier, 0.4 / 0.98);
    assert.ok(throttleFloor(throttle, 60) > step.throttle.loadMultiplier);
  });

  it('releases after releaseAfterWindows windows without improvement: 200 ms from tick 1 ends the second window on tick 4', () => {
    let throttle = fresh;
    let throttling = false;
    const released: number[] = [];
    for (let tick = 1; tick <= 6 && released.length === 0; tick++) {
      const step = throttleTick(throttle, input(tick, throttling, 200), DEFAULT_LOOP_TUNING);
      throttle = step.throttle;
      throttling = throttling || step.started;
      if (step.released) released.push(tick);
    }
    assert.deepEqual(released, [4]);
  });

  it('without overload while throttling: observed + 0.025 per tick, recovered at maxLoadMultiplier', () => {
    const throttle: Throttle = { ...fresh, loadMultiplier: 0.5, ticksSinceOverload: 2 };
    const step = throttleTick(
      throttle,
      { ...input(5, true, 50), ...reading(50, { observed: 0.6 }) },
      DEFAULT_LOOP_TUNING,
    );
    assertNear(step.throttle.loadMultiplier, 0.675);
    assert.deepEqual([step.throttle.ticksSinceOverload, step.recovered], [3, false]);
    assert.deepEqual(step.throttle.improvement, {
      windowStartSignalMs: 50,
      ticksInWindow: 0,
      windowsWithoutImprovement: 0,
    });
    const back = throttleTick(
      throttle,
      { ...input(5, true, 50), ...reading(50, { observed: 1.95 }) },
      DEFAULT_LOOP_TUNING,
    );
    assert.equal(back.recovered, true);
  });
});

describe('measureBacklog', () => {
  const backlogInput = (latest: TickSample, signalMs: number, errors = calm) => ({
    latest,
    ...reading(signalMs, { errors }),
    setpointMs: 55,
    windowTicks: 2,
    config: loopConfig({ signalWindowMs: 2000, backlogDrainFloor: 0.3 }),
  });

  it('measures the capacity on ticks overloaded by latency, and the drain share (1 − 1000 ÷ 2000 = 0.5)', () => {
    const first = measureBacklog(fresh, backlogInput(backlogTick(1055), 1055), DEFAULT_LOOP_TUNING);
    assert.equal(first.backlogged, true);
    assert.deepEqual(first.throttle.capacity, { backlogSeen: true, ratio: 1 / 3, perTick: undefined });
    assertNear(first.throttle.drainShare, 0.5);
  });

  it('a new absolute capacity starts the probes over; an overload of errors measures none', () => {
    const probed: Throttle = {
      ...fresh,
      capacity: { backlogSeen: true, ratio: 1 / 3, perTick: undefined },
      probe: { gain: 1.21, ticksAtCap: 0, waitTicks: 4 },
    };
    const second = measureBacklog(probed, backlogInput(backlogTick(1055), 1055), DEFAULT_LOOP_TUNING);
    assert.deepEqual([second.throttle.capacity.perTick, second.throttle.probe.gain], [20, 1]);
    const failing = { ratio: 0.6, overloaded: true, gradient: 0.4 };
    const errors = measureBacklog(fresh, backlogInput(backlogTick(1055), 1055, failing), DEFAULT_LOOP_TUNING);
    assert.deepEqual([errors.backlogged, errors.throttle.capacity], [false, fresh.capacity]);
    // The drain share follows the queue wait whatever overloads.
    assertNear(errors.throttle.drainShare, 0.5);
  });
});
