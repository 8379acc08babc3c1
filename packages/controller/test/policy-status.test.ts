import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyRegistry } from '../src/policies/policy-registry.js';
import { policyStatus } from '../src/sources/policy-status.js';
import { basicServiceProtection } from './support/fixture-policy.js';

describe('policyStatus', () => {
  const registry = new PolicyRegistry();
  const valid = registry.apply('ns/p', basicServiceProtection());

  it('reports Ready=True/Valid with observedGeneration on the status and the condition', () => {
    const status = policyStatus({
      entry: valid,
      generation: 4,
      previous: undefined,
      nowIso: '2026-01-01T00:00:00.000Z',
    });
    assert.deepEqual(status, {
      observedGeneration: 4,
      policyHash: valid.hash,
      runningPolicyHash: valid.hash,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Valid',
          message: `compiled; policy hash ${valid.hash}`,
          observedGeneration: 4,
          lastTransitionTime: '2026-01-01T00:00:00.000Z',
        },
      ],
    });
  });

  it('keeps lastTransitionTime while Ready does not flip, and moves it when it does', () => {
    const first = policyStatus({
      entry: valid,
      generation: 1,
      previous: undefined,
      nowIso: '2026-01-01T00:00:00.000Z',
    });
    const same = policyStatus({
      entry: valid,
      generation: 2,
      previous: first.conditions,
      nowIso: '2026-01-02T00:00:00.000Z',
    });
    assert.equal(same.conditions[0]?.lastTransitionTime, '2026-01-01T00:00:00.000Z');
    const broken = basicServiceProtection();
    broken.spec.rateLimiters = [{ name: 'x' }];
    const invalid = registry.apply('ns/p', broken);
    const flipped = policyStatus({
      entry: invalid,
      generation: 3,
      previous: same.conditions,
      nowIso: '2026-01-03T00:00:00.000Z',
    });
    assert.equal(flipped.conditions[0]?.status, 'False');
    assert.equal(flipped.conditions[0]?.reason, 'Invalid');
    assert.equal(flipped.conditions[0]?.lastTransitionTime, '2026-01-03T00:00:00.000Z');
    assert.equal(flipped.policyHash, null);
    assert.equal(flipped.runningPolicyHash, valid.hash);
    assert.match(
      flipped.conditions[0]?.message ?? '',
      /^spec\.rateLimiters\[0\]\.selectors: <missing> is not allowed; expected array\n/,
    );
  });
});
