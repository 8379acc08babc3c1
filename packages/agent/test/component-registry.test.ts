import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ComponentRegistry } from '../src/components/component-registry.js';
import { LocalBucketStore } from '../src/token-bucket/bucket-store-local.js';
import { fluxMeterConfig, loadSchedulerConfig, rateLimiterConfig } from './support/compiled-components.js';
import { ManualClock } from '@sluice/clock/manual';

function registry() {
  const clock = new ManualClock();
  return new ComponentRegistry({ clock, agentGroup: 'default', localStore: new LocalBucketStore({ clock }) });
}

const target = { controlPoint: 'ingress', services: ['svc'], agentGroup: 'default' };

test('an unchanged hash keeps runtime state; a new hash rebuilds; an absent policy is removed', () => {
  const r = registry();
  r.replaceAll([
    {
      policyName: 'p',
      policyHash: 'h1',
      components: [loadSchedulerConfig({ policyName: 'p', policyHash: 'h1' })],
    },
  ]);
  const first = r.allLoadSchedulers()[0];
  assert.equal(
    r.applyDecision('p', 'scheduler', {
      policyHash: 'h1',
      loadMultiplier: 0.5,
      passThrough: false,
      ttlMs: 0,
    }),
    'applied',
  );
  assert.deepEqual(r.replaceAll([{ policyName: 'p', policyHash: 'h1', components: [] }]).applied, []);
  assert.equal(r.allLoadSchedulers()[0], first, 'same runtime object, decision kept');
  assert.equal(r.allLoadSchedulers()[0]?.bucket.currentLoadMultiplier, 0.5);
  r.replaceAll([
    {
      policyName: 'p',
      policyHash: 'h2',
      components: [loadSchedulerConfig({ policyName: 'p', policyHash: 'h2' })],
    },
  ]);
  assert.notEqual(r.allLoadSchedulers()[0], first);
  assert.equal(
    r.allLoadSchedulers()[0]?.bucket.isPassThrough,
    true,
    'a new compile waits for its own decision',
  );
  assert.deepEqual(r.replaceAll([]).removed, ['p']);
  assert.equal(
    r.applyDecision('p', 'scheduler', { policyHash: 'h2', loadMultiplier: 1, passThrough: false, ttlMs: 0 }),
    'unknown-component',
  );
});

test('a policy that cannot be built keeps its last good version and reports why', () => {
  const r = registry();
  r.replaceAll([
    {
      policyName: 'p',
      policyHash: 'h1',
      components: [rateLimiterConfig({ policyName: 'p', policyHash: 'h1' })],
    },
  ]);
  const result = r.replaceAll([
    {
      policyName: 'p',
      policyHash: 'h2',
      components: [rateLimiterConfig({ policyName: 'p', policyHash: 'h2', intervalMs: 0 })],
    },
  ]);
  assert.deepEqual(result.failed, [
    { policyName: 'p', error: 'rate limiter p/limiter: intervalMs 0 must be a finite number > 0' },
  ]);
  assert.equal(r.select(target, {}).rateLimiters[0]?.config.policyHash, 'h1');
});

test('redis-backed limiters without a Redis store run locally and are counted', () => {
  const r = registry();
  const result = r.replaceAll([
    {
      policyName: 'p',
      policyHash: 'h',
      components: [rateLimiterConfig({ policyName: 'p', policyHash: 'h', backend: 'redis' })],
    },
  ]);
  assert.equal(result.redisUnavailable, 1);
});

test('selection splits components by role and honours selectors', () => {
  const r = registry();
  r.replaceAll([
    {
      policyName: 'policy',
      policyHash: 'hash-1',
      components: [
        rateLimiterConfig(),
        loadSchedulerConfig({
          selectors: [{ controlPoint: 'egress', service: 'any', agentGroup: 'default' }],
        }),
        fluxMeterConfig(),
      ],
    },
  ]);
  const selected = r.select(target, {});
  assert.deepEqual(
    [selected.rateLimiters.length, selected.loadSchedulers.length, selected.fluxMeters.length],
    [1, 0, 1],
  );
  assert.ok(r.fluxMeter('policy', 'policy'));
  assert.equal(r.fluxMeter('policy', 'other'), undefined);
});

test('readsRequestOnlyLabels follows the running policies: header and size labels only', () => {
  const r = registry();
  assert.equal(r.readsRequestOnlyLabels, false, 'no policy');
  const policy = (components: Parameters<ComponentRegistry['replaceAll']>[0][number]['components']) => ({
    policyName: 'p',
    policyHash: JSON.stringify(components),
    components,
  });
  r.replaceAll([policy([rateLimiterConfig({ limitByLabelKey: 'user-id' })])]);
  assert.equal(r.readsRequestOnlyLabels, false, 'a classifier or baggage label');
  r.replaceAll([policy([rateLimiterConfig({ limitByLabelKey: 'http.request.header.user_id' })])]);
  assert.equal(r.readsRequestOnlyLabels, true, 'a header label');
  r.replaceAll([policy([loadSchedulerConfig({ tokensLabelKey: 'http.request_content_length' })])]);
  assert.equal(r.readsRequestOnlyLabels, true, 'the size label');
  r.replaceAll([
    policy([
      fluxMeterConfig({
        selectors: [
          {
            controlPoint: 'ingress',
            service: 'any',
            agentGroup: 'default',
            labelMatcher: { matchLabels: { 'http.method': 'GET' } },
          },
        ],
      }),
    ]),
  ]);
  assert.equal(r.readsRequestOnlyLabels, false, 'a telemetry request label');
  r.replaceAll([]);
  assert.equal(r.readsRequestOnlyLabels, false, 'policies removed');
});

test('tokens label keys are closed to baggage unless every component using them opts in', () => {
  const r = registry();
  const policy = (
    name: string,
    components: Parameters<ComponentRegistry['replaceAll']>[0][number]['components'],
  ) => ({
    policyName: name,
    policyHash: JSON.stringify(components),
    components,
  });
  r.replaceAll([
    policy('a', [
      rateLimiterConfig({ tokensLabelKey: 'cost' }),
      loadSchedulerConfig({ tokensLabelKey: 'weight', tokensFromBaggage: true }),
    ]),
  ]);
  assert.deepEqual([...r.tokenKeysClosedToBaggage], ['cost']);
  r.replaceAll([
    policy('a', [loadSchedulerConfig({ tokensLabelKey: 'weight', tokensFromBaggage: true })]),
    policy('b', [rateLimiterConfig({ tokensLabelKey: 'weight' })]),
  ]);
  assert.deepEqual([...r.tokenKeysClosedToBaggage], ['weight']);
  r.replaceAll([]);
  assert.equal(r.tokenKeysClosedToBaggage.size, 0);
});
