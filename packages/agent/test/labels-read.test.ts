import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CompiledClassifier } from '@sluice/spec';
import { labelKeysRead } from '../src/selection/labels-read.js';
import { fluxMeterConfig, loadSchedulerConfig, rateLimiterConfig } from './support/compiled-components.js';

const matching = (key: string) => ({
  controlPoint: 'ingress',
  service: 'any',
  agentGroup: 'default',
  labelMatcher: {
    matchLabels: { [key]: 'x' },
    matchExpressions: [{ key: `${key}.exists`, operator: 'Exists' as const }],
  },
});

test('selectors: matchLabels and matchExpressions keys, for every kind', () => {
  const classifier: CompiledClassifier = {
    kind: 'classifier',
    policyName: 'p',
    policyHash: 'h',
    componentId: 'c',
    selectors: [matching('a')],
    rules: {},
  };
  assert.deepEqual([...labelKeysRead(classifier)], ['a', 'a.exists']);
  assert.deepEqual([...labelKeysRead(fluxMeterConfig({ selectors: [matching('f')] }))], ['f', 'f.exists']);
  assert.deepEqual([...labelKeysRead(fluxMeterConfig())], [], 'no matcher: nothing read');
});

test('rate limiters: limit-by and tokens keys', () => {
  assert.deepEqual(
    [...labelKeysRead(rateLimiterConfig({ limitByLabelKey: 'user', tokensLabelKey: 'cost' }))].sort(),
    ['cost', 'user'],
  );
});

test('load schedulers: workload matchers, the default workload included, and fairness and tokens keys', () => {
  const scheduler = loadSchedulerConfig({
    workloads: [
      { name: 'w', labelMatcher: { matchLabels: { tier: 'gold' } }, priority: 1, tokens: 1 },
      {
        name: 'v',
        labelMatcher: { matchExpressions: [{ key: 'plan', operator: 'In', values: ['a'] }] },
        priority: 1,
        tokens: 1,
      },
    ],
    defaultWorkload: {
      name: 'default',
      labelMatcher: { matchLabels: { other: 'x' } },
      priority: 1,
      tokens: 1,
    },
    fairnessLabelKey: 'user',
    tokensLabelKey: 'cost',
  });
  assert.deepEqual([...labelKeysRead(scheduler)].sort(), ['cost', 'other', 'plan', 'tier', 'user']);
});
