import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  AgentValuesSchema,
  FlowPolicySchema,
  knownKeysAt,
  parseFlowPolicy,
  parseWith,
  type FlowPolicyInput,
} from '../src/index.js';

const policy = (spec: Record<string, unknown>): FlowPolicyInput =>
  ({
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'FlowPolicy',
    metadata: { name: 'typos' },
    spec,
  }) as FlowPolicyInput;

const limiter = {
  name: 'per-user',
  selectors: [{ controlPoint: 'ingress' }],
  bucketCapacity: 10,
  fillAmount: 5,
};
const scheduler = { name: 'protect', selectors: [{ controlPoint: 'ingress' }] };

test('knownKeysAt looks through wrappers, arrays, records and unions', () => {
  assert.ok(knownKeysAt(FlowPolicySchema, ['spec', 'rateLimiters', 0]).includes('limitByLabelKey'));
  assert.ok(
    knownKeysAt(FlowPolicySchema, ['spec', 'loadSchedulers', 3, 'averageLatency']).includes(
      'latencyToleranceMultiplier',
    ),
  );
  assert.deepEqual(knownKeysAt(AgentValuesSchema, ['redis']).sort(), [
    'existingSecret',
    'passwordKey',
    'url',
    'usernameKey',
  ]);
  const union = z.union([
    z.object({ a: z.string() }),
    z.object({ b: z.record(z.string(), z.object({ c: z.number() })) }),
  ]);
  assert.deepEqual(knownKeysAt(union, []).sort(), ['a', 'b']);
  assert.deepEqual(knownKeysAt(union, ['b', 'any']), ['c']);
  assert.deepEqual(knownKeysAt(union, ['nowhere']), []);
  assert.deepEqual(knownKeysAt(z.string(), []), []);
});

// The three misspellings issue 17 found passing silently through a typed config.
const TYPOS = [
  {
    spec: { rateLimiters: [{ ...limiter, limitByLabelkey: 'user-id' }] },
    path: 'spec.rateLimiters[0].limitByLabelkey',
    value: '"user-id"',
    suggestion: 'limitByLabelKey',
  },
  {
    spec: { loadSchedulers: [{ ...scheduler, averageLatency: { latencyToleranceMultipler: 1.2 } }] },
    path: 'spec.loadSchedulers[0].averageLatency.latencyToleranceMultipler',
    value: '1.2',
    suggestion: 'latencyToleranceMultiplier',
  },
  {
    spec: {
      loadSchedulers: [
        {
          ...scheduler,
          workloads: [
            { priority: 2, labelMatcher: { matchLabels: { tier: 'gold' } }, queueTimeOut: '100ms' },
          ],
        },
      ],
    },
    path: 'spec.loadSchedulers[0].workloads[0].queueTimeOut',
    value: '"100ms"',
    suggestion: 'queueTimeout',
  },
];

for (const typo of TYPOS) {
  test(`${typo.path} is refused with its value and "did you mean ${typo.suggestion}"`, () => {
    const result = parseFlowPolicy(policy(typo.spec));
    assert.ok(!result.ok);
    assert.deepEqual(result.issues, [
      { path: typo.path, value: typo.value, allowed: `unknown field (did you mean "${typo.suggestion}"?)` },
    ]);
  });
}

test('an unknown key with no near name is refused without a guess', () => {
  const result = parseWith(AgentValuesSchema, { redis: { clusterMode: true } });
  assert.ok(!result.ok);
  assert.deepEqual(result.issues, [{ path: 'redis.clusterMode', value: 'true', allowed: 'unknown field' }]);
});
