import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorRatioCondition } from '../src/control/error-ratio-condition.js';
import { overloadCondition } from '../src/control/overload-condition.js';

const calm: ErrorRatioCondition = { ratio: 0.02, overloaded: false, gradient: 1 };
const failing: ErrorRatioCondition = { ratio: 0.6, overloaded: true, gradient: 0.4 };

describe('overloadCondition (setpoint 55)', () => {
  it('OK latency above the setpoint: cause latency, cut on the signal, always allowed', () => {
    const result = overloadCondition({
      okMeanMs: 110,
      signalMs: 110,
      setpointMs: 55,
      errors: calm,
      latestTickFailing: false,
    });
    assert.deepEqual(result, { overloaded: true, causes: ['latency'], cutSignalMs: 110, cutAllowed: true });
  });

  it('the signal above the setpoint only through stalls: cause stalls, cut allowed only while the latest tick fails', () => {
    const input = { okMeanMs: 50, signalMs: 400, setpointMs: 55, errors: calm };
    assert.deepEqual(overloadCondition({ ...input, latestTickFailing: true }), {
      overloaded: true,
      causes: ['stalls'],
      cutSignalMs: 400,
      cutAllowed: true,
    });
    assert.equal(overloadCondition({ ...input, latestTickFailing: false }).cutAllowed, false);
  });

  it('errors alone (fast 503s, OK latency normal): cut signal setpoint ÷ gradient = 137.5, a 0.4 cut', () => {
    const result = overloadCondition({
      okMeanMs: 50,
      signalMs: 50,
      setpointMs: 55,
      errors: failing,
      latestTickFailing: true,
    });
    assert.deepEqual(result, { overloaded: true, causes: ['errors'], cutSignalMs: 137.5, cutAllowed: true });
  });

  it('errors with no OK flow at all still give a cut signal; every flow failed gives 1000 × the setpoint', () => {
    assert.equal(
      overloadCondition({
        okMeanMs: undefined,
        signalMs: undefined,
        setpointMs: 55,
        errors: failing,
        latestTickFailing: true,
      }).cutSignalMs,
      137.5,
    );
    assert.equal(
      overloadCondition({
        okMeanMs: undefined,
        signalMs: undefined,
        setpointMs: 55,
        errors: { ratio: 1, overloaded: true, gradient: 0 },
        latestTickFailing: true,
      }).cutSignalMs,
      55_000,
    );
  });

  it('takes the least error gradient from its parameters: at 0.01 every flow failed gives 100 × the setpoint', () => {
    const allFailed = {
      okMeanMs: undefined,
      signalMs: undefined,
      setpointMs: 55,
      errors: { ratio: 1, overloaded: true, gradient: 0 },
      latestTickFailing: true,
    };
    assert.equal(overloadCondition(allFailed, { leastErrorGradient: 0.01 }).cutSignalMs, 5500);
  });

  it('both: the deeper cut wins (latency 300 ms against errors 137.5 ms), causes in order', () => {
    const result = overloadCondition({
      okMeanMs: 300,
      signalMs: 300,
      setpointMs: 55,
      errors: failing,
      latestTickFailing: false,
    });
    assert.deepEqual(result, {
      overloaded: true,
      causes: ['latency', 'errors'],
      cutSignalMs: 300,
      cutAllowed: true,
    });
  });

  it('neither: not overloaded, no cause, the signal as the cut signal', () => {
    assert.deepEqual(
      overloadCondition({
        okMeanMs: 50,
        signalMs: 55,
        setpointMs: 55,
        errors: calm,
        latestTickFailing: false,
      }),
      { overloaded: false, causes: [], cutSignalMs: 55, cutAllowed: false },
    );
  });
});
