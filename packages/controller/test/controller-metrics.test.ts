import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControllerMetrics } from '../src/metrics/controller-metrics.js';
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
    metrics.loop({ policyName: 'p', componentId: 'ingress', status, passThrough: false, released: false });
    let text = await metrics.registry.metrics();
    assert.match(text, /^sluice_controller_error_ratio\{policy_name="p",component_id="ingress"\} 0\.6$/m);
    assert.match(
      text,
      /^sluice_controller_baseline_error_ratio\{policy_name="p",component_id="ingress"\} 0\.02$/m,
    );
    assert.match(text, /^sluice_controller_overloaded\{policy_name="p",component_id="ingress"\} 1$/m);
    metrics.loop({
      policyName: 'p',
      componentId: 'ingress',
      status: { ...status, errorRatio: undefined },
      passThrough: false,
      released: false,
    });
    text = await metrics.registry.metrics();
    assert.doesNotMatch(text, /^sluice_controller_error_ratio\{/m);
    metrics.removeLoop('p', 'ingress');
    assert.doesNotMatch(await metrics.registry.metrics(), /^sluice_controller_baseline_error_ratio\{/m);
  });
});

describe('ControllerMetrics, per-loop flags and roles', () => {
  it('sets pass-through from the tick and counts a released tick once', async () => {
    const metrics = new ControllerMetrics();
    const tick = { policyName: 'p', componentId: 'ingress', status };
    metrics.loop({ ...tick, passThrough: true, released: true });
    metrics.loop({ ...tick, passThrough: false, released: false });
    const text = await metrics.registry.metrics();
    assert.match(text, /^sluice_controller_pass_through\{policy_name="p",component_id="ingress"\} 0$/m);
    assert.match(
      text,
      /^sluice_controller_throttle_releases_total\{policy_name="p",component_id="ingress"\} 1$/m,
    );
  });

  it('the initial role sets the leader gauge without counting a change; each change is counted', async () => {
    const metrics = new ControllerMetrics();
    metrics.initialRole('follower');
    let text = await metrics.registry.metrics();
    assert.match(text, /^sluice_controller_leader 0$/m);
    assert.doesNotMatch(text, /^sluice_controller_leadership_changes_total\{/m);
    metrics.roleChanged('leader');
    metrics.roleChanged('follower');
    metrics.roleChanged('leader');
    text = await metrics.registry.metrics();
    assert.match(text, /^sluice_controller_leader 1$/m);
    assert.match(text, /^sluice_controller_leadership_changes_total\{role="leader"\} 2$/m);
    assert.match(text, /^sluice_controller_leadership_changes_total\{role="follower"\} 1$/m);
  });
});
