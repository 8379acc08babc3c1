import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDecision } from '../src/control/loop-status.js';
import { loopConfig } from './support/loop-config.js';

describe('loadDecision', () => {
  const decide = (state: 'throttling' | 'pass-through', desiredLoadMultiplier: number, dryRun = false) =>
    loadDecision(loopConfig({ dryRun }), { state, desiredLoadMultiplier });

  it('a throttle below maxLoadMultiplier (2.0) is sent as is, with the policy, hash, component and time-to-live', () => {
    assert.deepEqual(decide('throttling', 0.4), {
      policyName: 'service-protection',
      policyHash: '0123456789abcdef0123456789abcdef',
      componentId: 'ingress',
      loadMultiplier: 0.4,
      passThrough: false,
      ttlMs: 30_000,
    });
  });

  it('passes through outside throttling, at or above maxLoadMultiplier, and in dryRun', () => {
    for (const decision of [
      decide('pass-through', 0.4),
      decide('throttling', 2),
      decide('throttling', 0.4, true),
    ])
      assert.deepEqual([decision.passThrough, decision.loadMultiplier], [true, 2]);
  });

  it('never sends a negative multiplier', () => {
    assert.equal(decide('throttling', -0.1).loadMultiplier, 0);
  });
});
