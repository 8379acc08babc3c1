import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AverageLatencyLoop } from '../src/control/average-latency-loop.js';
import type { TickSample } from '../src/control/tick-sample.js';
import { assertNear } from './support/assert-near.js';
import { loopConfig } from './support/loop-config.js';
import { warmBaselines } from './support/warm-baselines.js';

/** One agent report's worth: `flows` OK flows of `latencyMs` each, all admitted unless told. */
function sample(
  flows: number,
  latencyMs: number,
  tokens: { incoming?: number; accepted?: number } = {},
): TickSample {
  const incoming = tokens.incoming ?? flows;
  const accepted = tokens.accepted ?? incoming;
  return {
    okCount: flows,
    okLatencySumMs: flows * latencyMs,
    completedCount: flows,
    stalledCount: 0,
    stalledLatencySumMs: 0,
    failedCount: 0,
    incomingTokens: incoming,
    acceptedTokens: accepted,
    rejectedTokens: incoming - accepted,
    reportCount: 1,
  };
}

/** A persisted baseline of 50 ms, so the setpoint is 55 with the default tolerance 1.1. */
const baselineOf50 = () => warmBaselines();

describe('AverageLatencyLoop, single steps (setpoint 55, observed LM 1.0)', () => {
  it('signal 110 ⇒ LM 0.5, a throttling decision with the 30 s time-to-live', () => {
    const loop = new AverageLatencyLoop({ config: loopConfig(), restoredBaseline: baselineOf50() });
    loop.record(sample(100, 110));
    const { decision, status } = loop.tick();
    assertNear(status.setpointMs, 55);
    assert.equal(status.signalMs, 110);
    assert.equal(status.overloaded, true);
    assertNear(decision.loadMultiplier, 0.5);
    assert.deepEqual(
      { ...decision, loadMultiplier: 0.5 },
      {
        policyName: 'service-protection',
        policyHash: '0123456789abcdef0123456789abcdef',
        componentId: 'ingress',
        loadMultiplier: 0.5,
        passThrough: false,
        ttlMs: 30_000,
      },
    );
  });

  it('signal 1000 ⇒ LM 0.1 (minGradient)', () => {
    const loop = new AverageLatencyLoop({ config: loopConfig(), restoredBaseline: baselineOf50() });
    loop.record(sample(100, 1000));
    assertNear(loop.tick().decision.loadMultiplier, 0.1);
  });

  it('signal 50 ⇒ not overloaded, pass-through', () => {
    const loop = new AverageLatencyLoop({ config: loopConfig(), restoredBaseline: baselineOf50() });
    loop.record(sample(100, 50));
    const { decision, status } = loop.tick();
    assert.equal(status.overloaded, false);
    assert.equal(decision.passThrough, true);
    assert.equal(status.state, 'pass-through');
  });

  it('after an overload adds 0.025 per tick to the observed multiplier, then returns to pass-through at 2.0', () => {
    const loop = new AverageLatencyLoop({
      config: loopConfig({ signalWindowMs: 1000 }),
      restoredBaseline: baselineOf50(),
    });
    loop.record(sample(100, 110));
    assertNear(loop.tick().decision.loadMultiplier, 0.5);
    const multipliers: number[] = [];
    for (let tick = 0; tick < 3; tick++) {
      loop.record(sample(50, 50, { incoming: 100, accepted: 50 }));
      multipliers.push(Number(loop.tick().decision.loadMultiplier.toFixed(6)));
    }
    assert.deepEqual(multipliers, [0.525, 0.55, 0.575]);
    // With everything admitted (observed 1.0), 2.0 is reached 40 ticks after the overload: 37 more.
    let ticks = 3;
    while (loop.state === 'throttling') {
      loop.record(sample(100, 50));
      loop.tick();
      ticks += 1;
    }
    assert.equal(ticks, 40);
    assert.equal(loop.decision().passThrough, true);
  });

  it('cuts at most once per signal window (5 ticks), however long the window stays overloaded', () => {
    const loop = new AverageLatencyLoop({ config: loopConfig(), restoredBaseline: baselineOf50() });
    const multipliers: number[] = [];
    let current = 1;
    for (let tick = 0; tick < 11; tick++) {
      // The agents realise whatever multiplier is in force.
      loop.record(sample(100, 110, { incoming: 100, accepted: Math.round(current * 100) }));
      current = loop.tick().decision.loadMultiplier;
      multipliers.push(Number(current.toFixed(6)));
    }
    // Tick 1 cuts 1.0 → 0.5; ticks 2–5 hold; tick 6 (window = ticks 2–6, observed 0.5) cuts to 0.25;
    // tick 11 (window = ticks 7–11, observed 0.25) cuts to 0.125.
    assert.deepEqual(multipliers, [0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.125]);
  });
});

describe('AverageLatencyLoop, states', () => {
  it('starts in pass-through, warms up for 60 ticks, and traces warming-up → pass-through → throttling', () => {
    const loop = new AverageLatencyLoop({ config: loopConfig() });
    for (let tick = 1; tick <= 60; tick++) {
      loop.record(sample(100, 50));
      const { decision, status } = loop.tick();
      assert.equal(decision.passThrough, true, `tick ${tick}`);
      assert.equal(status.state, tick < 60 ? 'warming-up' : 'pass-through', `tick ${tick}`);
    }
    loop.record(sample(100, 500));
    loop.tick();
    assert.deepEqual(
      loop.trace.map(({ tick, from, to }) => `${tick}:${from}>${to}`),
      ['60:warming-up>pass-through', '61:pass-through>throttling'],
    );
  });

  it('silent agents ⇒ pass-through on the next tick, never a stale throttle', () => {
    const loop = new AverageLatencyLoop({ config: loopConfig(), restoredBaseline: baselineOf50() });
    loop.record(sample(100, 110));
    assert.equal(loop.tick().decision.passThrough, false);
    // Nothing recorded: every agent was silent for the tick. The window still holds the overloaded
    // sample, but a window without a report in the last tick is no evidence of the present.
    for (let tick = 0; tick < 5; tick++) loop.tick();
    const { decision, status } = loop.tick();
    assert.equal(decision.passThrough, true);
    assert.equal(status.state, 'no-signal');
  });

  it('invalid signal (reports without OK flows) ⇒ pass-through', () => {
    const loop = new AverageLatencyLoop({
      config: loopConfig({ signalWindowMs: 1000 }),
      restoredBaseline: baselineOf50(),
    });
    loop.record(sample(100, 110));
    assert.equal(loop.tick().decision.passThrough, false);
    loop.record({ ...sample(0, 0), incomingTokens: 100, acceptedTokens: 0, rejectedTokens: 100 });
    const result = loop.tick();
    assert.equal(result.decision.passThrough, true);
    assert.equal(result.status.signalMs, undefined);
    assert.deepEqual(
      loop.trace.map((entry) => entry.to),
      ['throttling', 'no-signal'],
    );
  });

  it('releases a throttle that has not improved latency for 12 signal windows, counts it, and passes through for 12 windows', () => {
    const loop = new AverageLatencyLoop({ config: loopConfig(), restoredBaseline: baselineOf50() });
    let releasedAt = 0;
    for (let tick = 1; tick <= 200 && releasedAt === 0; tick++) {
      // Latency that load does not explain (a slow dependency): 200 ms whatever is admitted.
      loop.record(sample(100, 200));
      if (loop.tick().released) releasedAt = tick;
    }
    // Throttling starts on tick 1; 12 windows of 5 ticks without improvement (ticks 1–60) end on tick 60.
    assert.equal(releasedAt, 60);
    assert.equal(loop.status.releases, 1);
    assert.equal(loop.decision().passThrough, true);
    for (let tick = 0; tick < 59; tick++) {
      loop.record(sample(100, 200));
      assert.equal(loop.tick().decision.passThrough, true);
    }
    loop.record(sample(100, 200));
    assert.equal(loop.tick().decision.passThrough, false, 'after the cool-down the loop may throttle again');
  });

  it('dryRun computes the multiplier but tells agents to pass through', () => {
    const loop = new AverageLatencyLoop({
      config: loopConfig({ dryRun: true }),
      restoredBaseline: baselineOf50(),
    });
    loop.record(sample(100, 110));
    const { decision, status } = loop.tick();
    assert.equal(decision.passThrough, true);
    assertNear(status.desiredLoadMultiplier, 0.5);
  });

  it('does not learn the baseline from overloaded or throttled ticks', () => {
    const loop = new AverageLatencyLoop({
      config: loopConfig({ signalWindowMs: 1000 }),
      restoredBaseline: baselineOf50(),
    });
    for (let tick = 0; tick < 300; tick++) {
      loop.record(sample(100, tick % 2 === 0 ? 300 : 54));
      loop.tick();
    }
    assertNear(loop.status.setpointMs, 55);
  });

  it('keeps baseline and throttle across a recompile of the same scheduler', () => {
    const loop = new AverageLatencyLoop({ config: loopConfig(), restoredBaseline: baselineOf50() });
    loop.record(sample(100, 110));
    loop.tick();
    loop.reconfigure(loopConfig({ policyHash: 'ffffffffffffffffffffffffffffffff' }));
    assert.equal(loop.decision().policyHash, 'ffffffffffffffffffffffffffffffff');
    assertNear(loop.decision().loadMultiplier, 0.5);
    assertNear(loop.status.setpointMs, 55);
  });
});

describe('AverageLatencyLoop, transitions', () => {
  /** Every transition the loop may make, by reason (loop-state.ts). */
  const ALLOWED: Readonly<Record<string, readonly string[]>> = {
    'warmed-up': ['warming-up>pass-through'],
    'signal-back': ['no-signal>pass-through'],
    overloaded: ['pass-through>throttling'],
    recovered: ['throttling>pass-through'],
    'not-improving': ['throttling>released'],
    'cooled-down': ['released>pass-through'],
    'signal-lost': ['pass-through>no-signal', 'throttling>no-signal', 'released>no-signal'],
  };

  it('traces each transition with its reason, through every state (window 1 tick, warm-up 3 ticks, release after 2 windows)', () => {
    const loop = new AverageLatencyLoop({
      config: loopConfig({
        signalWindowMs: 1000,
        warmUpMs: 3000,
        releaseAfterWindows: 2,
        linearIncrement: 0.5,
      }),
    });
    // Per tick: the OK latency of 100 flows, or undefined for a silent tick.
    const script = [50, 50, 50, 110, 50, 50, 200, 200, 50, 50, undefined, 50, 110, undefined, 110, undefined];
    script.push(200, 200, undefined);
    for (const latencyMs of script) {
      if (latencyMs !== undefined) loop.record(sample(100, latencyMs));
      loop.tick();
    }
    assert.deepEqual(
      loop.trace.map(({ tick, from, to, reason }) => `${tick}:${from}>${to} (${reason})`),
      [
        '3:warming-up>pass-through (warmed-up)',
        '4:pass-through>throttling (overloaded)',
        '6:throttling>pass-through (recovered)',
        '7:pass-through>throttling (overloaded)',
        '8:throttling>released (not-improving)',
        '10:released>pass-through (cooled-down)',
        '11:pass-through>no-signal (signal-lost)',
        '12:no-signal>pass-through (signal-back)',
        '13:pass-through>throttling (overloaded)',
        '14:throttling>no-signal (signal-lost)',
        '15:no-signal>pass-through (signal-back)',
        '15:pass-through>throttling (overloaded)',
        '16:throttling>no-signal (signal-lost)',
        '17:no-signal>pass-through (signal-back)',
        '17:pass-through>throttling (overloaded)',
        '18:throttling>released (not-improving)',
        '19:released>no-signal (signal-lost)',
      ],
    );
    assert.equal(loop.status.releases, 2);
  });

  it('over arbitrary report sequences makes only the allowed transitions, never a same-state one, each from the state the last one entered', () => {
    const tickInput = fc.option(
      fc.record({
        flows: fc.integer({ min: 0, max: 300 }),
        latencyMs: fc.double({ min: 0, max: 3000, noNaN: true }),
        failedShare: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      { nil: undefined, freq: 5 },
    );
    fc.assert(
      fc.property(fc.array(tickInput, { minLength: 1, maxLength: 300 }), fc.boolean(), (ticks, warm) => {
        const loop = new AverageLatencyLoop({
          config: loopConfig({ signalWindowMs: 2000, warmUpMs: 5000, releaseAfterWindows: 3 }),
          traceLength: 1000,
          ...(warm ? { restoredBaseline: baselineOf50() } : {}),
        });
        let state = loop.state;
        for (const input of ticks) {
          if (input !== undefined) {
            const failed = Math.round(input.flows * input.failedShare);
            loop.record({
              ...sample(input.flows - failed, input.latencyMs),
              completedCount: input.flows,
              failedCount: failed,
            });
          }
          loop.tick();
        }
        for (const { from, to, reason } of loop.trace) {
          if (from !== state || from === to || !(ALLOWED[reason] ?? []).includes(`${from}>${to}`))
            return false;
          state = to;
        }
        return state === loop.state;
      }),
      { numRuns: 200 },
    );
  });
});

describe('AverageLatencyLoop, tuning', () => {
  it('refuses a tuning out of range when it is built, naming the parameter', () => {
    assert.throws(
      () => new AverageLatencyLoop({ config: loopConfig(), tuning: { probe: { headroom: 0.5 } } }),
      /control loop tuning: probe\.headroom 0\.5 is not allowed; expected a finite number ≥ 1/,
    );
  });

  it('takes the improvement fraction from its tuning: a signal falling 5% per window is released at 0.1, not at 0.01', () => {
    const releasedAt = (improvementFraction: number) => {
      const loop = new AverageLatencyLoop({
        config: loopConfig(),
        restoredBaseline: baselineOf50(),
        tuning: { release: { improvementFraction } },
      });
      for (let tick = 1; tick <= 200; tick++) {
        loop.record(sample(100, 400 * 0.95 ** Math.floor(tick / 5)));
        if (loop.tick().released) return tick;
      }
      return undefined;
    };
    assert.deepEqual([releasedAt(0.01), releasedAt(0.1)], [undefined, 60]);
  });
});

describe('AverageLatencyLoop, invariants over arbitrary report sequences', () => {
  it('never throttles without a report in the signal window, keeps LM within [0, max), and never throws', () => {
    const tickInput = fc.option(
      fc.record({
        flows: fc.integer({ min: 0, max: 500 }),
        latencyMs: fc.double({ min: 0, max: 5000, noNaN: true }),
        acceptedShare: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      { nil: undefined, freq: 4 },
    );
    fc.assert(
      fc.property(fc.array(tickInput, { minLength: 1, maxLength: 200 }), (ticks) => {
        const loop = new AverageLatencyLoop({ config: loopConfig(), restoredBaseline: baselineOf50() });
        const recent: boolean[] = [];
        for (const input of ticks) {
          if (input !== undefined) {
            const incoming = input.flows;
            loop.record(
              sample(input.flows, input.latencyMs, {
                incoming,
                accepted: Math.round(incoming * input.acceptedShare),
              }),
            );
          }
          recent.push(input !== undefined && input.flows > 0);
          if (recent.length > 5) recent.shift();
          const { decision } = loop.tick();
          if (!decision.passThrough) {
            if (!recent.some(Boolean)) return false;
            if (!(decision.loadMultiplier >= 0 && decision.loadMultiplier < 2)) return false;
          }
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });
});
