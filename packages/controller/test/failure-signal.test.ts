import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isServerFailure, latencySignalMs } from '../src/control/failure-signal.js';

const base = { okCount: 0, okLatencySumMs: 0, stalledCount: 0, stalledLatencySumMs: 0, flowCount: 0 };

describe('isServerFailure', () => {
  it('5xx, no status and stalled flows fail on the server side; OK flows and 4xx do not', () => {
    const cases: [Record<string, string>, boolean][] = [
      [{ flow_status: 'OK', status_code: '200', stalled: 'false' }, false],
      [{ flow_status: 'Error', status_code: '500', stalled: 'false' }, true],
      [{ flow_status: 'Error', status_code: '503', stalled: 'false' }, true],
      [{ flow_status: 'Error', status_code: '599' }, true],
      [{ flow_status: 'Error', status_code: '' }, true],
      [{ flow_status: 'Error', status_code: '0' }, true],
      [{ flow_status: 'Error' }, true],
      [{ flow_status: 'Error', status_code: '504', stalled: 'true' }, true],
      [{ flow_status: 'Error', status_code: '404', stalled: 'false' }, false],
      [{ flow_status: 'Error', status_code: '429', stalled: 'false' }, false],
      [{ flow_status: 'Error', status_code: '5000' }, false],
      [{ flow_status: 'OK', status_code: '503' }, false],
    ];
    assert.deepEqual(
      cases.map(([labels]) => isServerFailure(labels)),
      cases.map(([, expected]) => expected),
    );
  });
});

/** One 15 s timeout among 500 flows, the others OK at 50 ms (setpoint 55). */
const ONE_STALL = {
  okCount: 499,
  okLatencySumMs: 499 * 50,
  stalledCount: 1,
  stalledLatencySumMs: 15_000,
  flowCount: 500,
  setpointMs: 55,
};

describe('latencySignalMs', () => {
  it('is the OK mean without stalls, and undefined without any flow', () => {
    assert.equal(
      latencySignalMs({
        ...base,
        okCount: 10,
        okLatencySumMs: 500,
        flowCount: 10,
        setpointMs: 55,
        baselineFailureRatio: 0.01,
      }),
      50,
    );
    assert.equal(latencySignalMs({ ...base, setpointMs: 55, baselineFailureRatio: 0.01 }), undefined);
  });

  it('counts stalls beyond chance at their full duration: 100 OK at 50 ms and 50 stalls at 1000 ms ⇒ 366.7 ms', () => {
    const signal = latencySignalMs({
      okCount: 100,
      okLatencySumMs: 5000,
      stalledCount: 50,
      stalledLatencySumMs: 50_000,
      flowCount: 150,
      setpointMs: 55,
      baselineFailureRatio: 0.01,
    });
    assert.ok(signal !== undefined && Math.abs(signal - 55_000 / 150) < 1e-9, `signal ${signal}`);
  });

  it('never counts a stall below the setpoint: 20 fast resets (2 ms) alone ⇒ the setpoint, 55 ms', () => {
    assert.equal(
      latencySignalMs({
        ...base,
        stalledCount: 20,
        stalledLatencySumMs: 40,
        flowCount: 20,
        setpointMs: 55,
        baselineFailureRatio: 0,
      }),
      55,
    );
  });

  it('never lowers the OK mean: OK at 200 ms with 20 fast resets ⇒ 200 ms', () => {
    assert.equal(
      latencySignalMs({
        okCount: 20,
        okLatencySumMs: 4000,
        stalledCount: 20,
        stalledLatencySumMs: 40,
        flowCount: 40,
        setpointMs: 55,
        baselineFailureRatio: 0.01,
      }),
      200,
    );
  });

  it('leaves out stalls within chance: one 15 s timeout among 500 flows at a 0.1% baseline keeps the OK mean', () => {
    assert.equal(latencySignalMs({ ...ONE_STALL, baselineFailureRatio: 0.001 }), 50);
    // 10 of them are beyond chance at that baseline (P < 1e-6): counted, 347 ms.
    const tenStalls = {
      ...ONE_STALL,
      okCount: 490,
      okLatencySumMs: 490 * 50,
      stalledCount: 10,
      stalledLatencySumMs: 150_000,
    };
    const signal = latencySignalMs({ ...tenStalls, baselineFailureRatio: 0.001 });
    assert.ok(
      signal !== undefined && Math.abs(signal - (490 * 50 + 150_000) / 500) < 1e-9,
      `signal ${signal}`,
    );
  });

  it('takes the test of chance from its parameters: one stall among 500 at a 0.1% baseline counts at 0.1 nats', () => {
    const signal = latencySignalMs(
      { ...ONE_STALL, baselineFailureRatio: 0.001 },
      { significanceNats: 0.1, minTestedRatio: 1e-4 },
    );
    assert.ok(
      signal !== undefined && Math.abs(signal - (499 * 50 + 15_000) / 500) < 1e-9,
      `signal ${signal}`,
    );
  });

  it('property: the signal is never below the OK mean, and with stalls counted never below the setpoint unless the OK mean is', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 5000, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 20_000, noNaN: true }),
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (okCount, okMean, stalledCount, stalledMean, setpointMs, baselineFailureRatio) => {
          const signal = latencySignalMs({
            okCount,
            okLatencySumMs: okCount * okMean,
            stalledCount,
            stalledLatencySumMs: stalledCount * stalledMean,
            flowCount: okCount + stalledCount,
            setpointMs,
            baselineFailureRatio,
          });
          if (okCount === 0 && signal === undefined) return true;
          assert.ok(signal !== undefined);
          if (okCount > 0) assert.ok(signal >= okMean * (1 - 1e-12), `${signal} < OK mean ${okMean}`);
          if (signal !== (okCount > 0 ? (okCount * okMean) / okCount : undefined))
            assert.ok(signal >= Math.min(setpointMs, okMean) * (1 - 1e-12));
          return true;
        },
      ),
      { seed: 15, numRuns: 2000 },
    );
  });
});
