import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControllerMetrics } from '../src/api/controller-metrics.js';
import type { LoopStatus } from '../src/control/loop-status.js';

const status: LoopStatus = {
  state: 'throttling',
  signalMs: 50,
  baselineMs: 50,
  setpointMs: 55,
  overloaded: true,
  overloadCauses: ['errors'],
  errorRatio: 0.6,
  baselineErrorRatio: 0.02,
  desiredLoadMultiplier: 0.408,
  observedLoadMultiplier: 1,
  capacityFloor: undefined,
  releases: 0,
  ticks: 1,
};

describe('ControllerMetrics, error-ratio gauges', () => {
  it('exports the window and baseline error ratios per loop, drops the window ratio when it is unknown', async () => {
    const metrics = new ControllerMetrics();
    metrics.loop('p', 'ingress', status, false, false);
    let text = await metrics.registry.metrics();
    assert.match(text, /^sluice_controller_error_ratio\{policy_name="p",component_id="ingress"\} 0\.6$/m);
    assert.match(
      text,
      /^sluice_controller_baseline_error_ratio\{policy_name="p",component_id="ingress"\} 0\.02$/m,
    );
    assert.match(text, /^sluice_controller_overloaded\{policy_name="p",component_id="ingress"\} 1$/m);
    metrics.loop('p', 'ingress', { ...status, errorRatio: undefined }, false, false);
    text = await metrics.registry.metrics();
    assert.doesNotMatch(text, /^sluice_controller_error_ratio\{/m);
    metrics.removeLoop('p', 'ingress');
    assert.doesNotMatch(await metrics.registry.metrics(), /^sluice_controller_baseline_error_ratio\{/m);
  });
});
