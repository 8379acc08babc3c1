import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyRegistry, type RegistryChange } from '../src/policies/policy-registry.js';
import { basicServiceProtection } from './support/fixture-policy.js';

describe('PolicyRegistry', () => {
  it('keeps the last good version running when a new version is invalid', () => {
    const registry = new PolicyRegistry();
    const changes: string[] = [];
    registry.onChange((change: RegistryChange) => changes.push(`${change.kind}:${change.entry.status}`));
    const good = registry.apply('a.yaml', basicServiceProtection());
    assert.equal(good.status, 'Valid');
    const broken = basicServiceProtection();
    broken.spec.loadSchedulers[0].averageLatency.latencyToleranceMultiplier = 0.9;
    const entry = registry.apply('a.yaml', broken);
    assert.equal(entry.status, 'Invalid');
    assert.equal(entry.hash, undefined);
    assert.equal(entry.running?.policyHash, good.hash);
    assert.equal(
      entry.message,
      `spec.loadSchedulers[0].averageLatency.latencyToleranceMultiplier: 0.9 is not allowed; must be > 1\nthe last valid version (hash ${good.hash}) keeps running`,
    );
    assert.deepEqual(
      registry.running().map((policy) => policy.policyHash),
      [good.hash],
    );
    assert.deepEqual(changes, ['applied:Valid', 'invalid:Invalid']);
  });

  it('runs nothing for a source that was never valid', () => {
    const registry = new PolicyRegistry();
    registry.reject('b.yaml', [{ path: '(file)', value: '"key: [1"', allowed: 'valid YAML' }]);
    assert.equal(registry.get('b.yaml')?.status, 'Invalid');
    assert.deepEqual(registry.running(), []);
  });

  it('refuses a second source defining the same policy name, naming the owner', () => {
    const registry = new PolicyRegistry();
    registry.apply('a.yaml', basicServiceProtection());
    const entry = registry.apply('b.yaml', basicServiceProtection());
    assert.equal(entry.status, 'Invalid');
    assert.equal(
      entry.message,
      'metadata.name: "basic-service-protection" is not allowed; must be unique; a.yaml already defines it',
    );
    assert.equal(registry.running().length, 1);
  });

  it('stops running a removed source', () => {
    const registry = new PolicyRegistry();
    registry.apply('a.yaml', basicServiceProtection());
    registry.remove('a.yaml');
    assert.deepEqual(registry.entries(), []);
    assert.deepEqual(registry.running(), []);
  });
});
