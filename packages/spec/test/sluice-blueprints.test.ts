import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AverageLatencyBlueprintValuesSchema,
  averageLatencyPolicy,
  parseFlowPolicyOrThrow,
  parseWith,
  rateLimitPolicy,
  RateLimitBlueprintValuesSchema,
} from '../src/index.js';

test('average-latency values give a valid FlowPolicy with prioritised workloads', () => {
  const values = {
    policy: {
      policyName: 'basic-service-protection',
      namespace: 'sluice-system',
      loadScheduler: {
        name: 'service-protection',
        selectors: [{ controlPoint: 'ingress', service: 'service1-demo-app.demoapp.svc.cluster.local' }],
        workloads: [
          { name: 'guests', labelMatcher: { matchLabels: { 'user-type': 'guest' } }, priority: 50 },
          {
            name: 'subscribers',
            labelMatcher: { matchLabels: { 'user-type': 'subscriber' } },
            priority: 200,
          },
        ],
      },
    },
  };
  const checked = parseWith(AverageLatencyBlueprintValuesSchema, values);
  assert.ok(checked.ok);
  const policy = parseFlowPolicyOrThrow(averageLatencyPolicy(values));
  assert.equal(policy.metadata.namespace, 'sluice-system');
  assert.deepEqual(
    policy.spec.loadSchedulers[0]?.workloads.map((w) => [w.name, w.priority]),
    [
      ['guests', 50],
      ['subscribers', 200],
    ],
  );
});

test('rate-limit values give a valid FlowPolicy', () => {
  const values = {
    policy: {
      policyName: 'per-user',
      rateLimiter: {
        name: 'per-user',
        selectors: [{ controlPoint: 'ingress' }],
        bucketCapacity: 20,
        fillAmount: 10,
        limitByLabelKey: 'user-id',
      },
    },
  };
  assert.ok(parseWith(RateLimitBlueprintValuesSchema, values).ok);
  const policy = parseFlowPolicyOrThrow(rateLimitPolicy(values));
  assert.equal(policy.spec.rateLimiters[0]?.limitByLabelKey, 'user-id');
  assert.equal(policy.spec.classifiers.length, 0);
});

test('a misspelled blueprint value is refused with its path', () => {
  const result = parseWith(RateLimitBlueprintValuesSchema, { policy: { policyName: 'x', rateLimitr: {} } });
  assert.ok(!result.ok);
  assert.deepEqual(
    result.issues.map((issue) => [issue.path, issue.allowed]),
    [
      ['policy.rateLimiter', 'expected object'],
      ['policy.rateLimitr', 'unknown field (did you mean "rateLimiter"?)'],
    ],
  );
});
