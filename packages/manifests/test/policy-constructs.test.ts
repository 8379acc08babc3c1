import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlowPolicy } from '@sluice/spec';
import {
  AverageLatencyPolicy,
  ApertureMigratedPolicy,
  FlowPolicyResource,
  headerClassifier,
  RateLimitPolicy,
} from '../src/index.js';
import { synthesise } from './support/helm.js';

type Any = Record<string, any>;
const SERVICE = 'service1-demo-app.demoapp.svc.cluster.local';

describe('AverageLatencyPolicy', () => {
  it('emits one FlowPolicy with prioritised workloads, a header classifier and the tolerance, which the controller schema accepts', () => {
    const [policy] = synthesise((scope) => {
      new AverageLatencyPolicy(scope, 'p', {
        name: 'protect',
        service: SERVICE,
        classifiers: [headerClassifier({ service: SERVICE, labels: { 'user-type': 'user-type' } })],
        workloads: [
          { name: 'guests', priority: 50, matchLabels: { 'user-type': 'guest' }, queueTimeout: '100ms' },
          { name: 'subscribers', priority: 200, matchLabels: { 'user-type': 'subscriber' }, tokens: 2 },
        ],
        latencyToleranceMultiplier: 1.25,
        loadScheduler: { dryRun: true, averageLatency: { signalWindow: '10s' } },
      });
    }) as Any[];
    assert.equal(policy?.apiVersion, 'sluice.dev/v1alpha1');
    assert.deepEqual(policy?.metadata, { name: 'protect', namespace: 'sluice-system' });
    const scheduler = policy?.spec.loadSchedulers[0];
    assert.deepEqual(scheduler.selectors, [{ controlPoint: 'ingress', service: SERVICE }]);
    assert.deepEqual(scheduler.workloads, [
      {
        name: 'guests',
        priority: 50,
        labelMatcher: { matchLabels: { 'user-type': 'guest' } },
        queueTimeout: '100ms',
      },
      {
        name: 'subscribers',
        priority: 200,
        labelMatcher: { matchLabels: { 'user-type': 'subscriber' } },
        tokens: 2,
      },
    ]);
    assert.deepEqual(scheduler.averageLatency, { signalWindow: '10s', latencyToleranceMultiplier: 1.25 });
    assert.equal(scheduler.dryRun, true);
    assert.deepEqual(policy?.spec.classifiers, [
      {
        selectors: [{ controlPoint: 'ingress', service: SERVICE }],
        rules: { 'user-type': { header: 'user-type' } },
      },
    ]);
    const parsed = parseFlowPolicy(policy);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.spec.loadSchedulers[0]?.averageLatency.aimd.maxLoadMultiplier, 2);
  });

  it('refuses an invalid policy at construction, naming the path, value and rule', () => {
    assert.throws(
      () =>
        synthesise(
          (scope) =>
            new AverageLatencyPolicy(scope, 'p', {
              name: 'p',
              service: SERVICE,
              workloads: [{ name: 'w', priority: -1, matchLabels: {} }],
            }),
        ),
      /FlowPolicy p is invalid:\n.*spec\.loadSchedulers\[0\]\.workloads\[0\]\.priority: -1 is not allowed/,
    );
    assert.throws(
      () =>
        synthesise((scope) => new AverageLatencyPolicy(scope, 'p', { name: 'Bad_Name', service: SERVICE })),
      /metadata\.name: "Bad_Name" is not allowed/,
    );
    assert.throws(
      () =>
        synthesise(
          (scope) =>
            new AverageLatencyPolicy(scope, 'p', {
              name: 'p',
              service: SERVICE,
              latencyToleranceMultiplier: 1,
            }),
        ),
      /latencyToleranceMultiplier: 1 is not allowed/,
    );
  });
});

describe('RateLimitPolicy', () => {
  it('per-user token bucket: capacity 40, 2 per second, keyed by user-id, shared through Redis', () => {
    const [policy] = synthesise((scope) => {
      new RateLimitPolicy(scope, 'r', {
        name: 'per-user',
        service: SERVICE,
        bucketCapacity: 40,
        fillAmount: 2,
        limitByLabelKey: 'user-id',
        backend: 'redis',
        classifiers: [headerClassifier({ service: SERVICE, labels: { 'user-id': 'user-id' } })],
      });
    }) as Any[];
    assert.deepEqual(policy?.spec.rateLimiters, [
      {
        name: 'rate-limiter',
        selectors: [{ controlPoint: 'ingress', service: SERVICE }],
        bucketCapacity: 40,
        fillAmount: 2,
        limitByLabelKey: 'user-id',
        backend: 'redis',
      },
    ]);
    assert.ok(parseFlowPolicy(policy).ok);
    assert.throws(
      () =>
        synthesise(
          (scope) =>
            new RateLimitPolicy(scope, 'r', {
              name: 'r',
              service: SERVICE,
              bucketCapacity: 0,
              fillAmount: 1,
            }),
        ),
      /bucketCapacity: 0 is not allowed/,
    );
  });
});

describe('headerClassifier and FlowPolicyResource', () => {
  it('a classifier without labels is refused', () => {
    assert.throws(() => headerClassifier({ service: SERVICE, labels: {} }), /labels is empty/);
  });

  it('FlowPolicyResource refuses an unknown spec key with its path', () => {
    assert.throws(
      () =>
        synthesise(
          (scope) =>
            new FlowPolicyResource(scope, 'f', {
              apiVersion: 'sluice.dev/v1alpha1',
              kind: 'FlowPolicy',
              metadata: { name: 'f' },
              spec: { loadSchedulerz: [] } as never,
            }),
        ),
      /FlowPolicy f is invalid/,
    );
  });
});

describe('ApertureMigratedPolicy', () => {
  it("converts the seed's values: selectors, flux meter and tolerance 1.1", () => {
    const values = {
      policy: {
        policy_name: 'basic-service-protection',
        load_scheduling_core: {
          aimd_load_scheduler: {
            load_scheduler: { selectors: [{ control_point: 'ingress', service: SERVICE }] },
          },
        },
        latency_baseliner: {
          flux_meter: { selectors: [{ control_point: 'ingress', service: SERVICE }] },
          latency_tolerance_multiplier: 1.1,
        },
      },
    };
    const [policy] = synthesise(
      (scope) =>
        new ApertureMigratedPolicy(scope, 'm', { blueprint: 'load-scheduling/average-latency', values }),
    ) as Any[];
    assert.deepEqual(policy?.metadata, { name: 'basic-service-protection', namespace: 'sluice-system' });
    assert.equal(policy?.spec.loadSchedulers[0].averageLatency.latencyToleranceMultiplier, 1.1);
  });

  it('an unsupported blueprint is refused with the supported ones named', () => {
    assert.throws(
      () =>
        synthesise(
          (scope) =>
            new ApertureMigratedPolicy(scope, 'm', { blueprint: 'quota-scheduling/base', values: {} }),
        ),
      /blueprint: "quota-scheduling\/base" is not allowed; an Aperture blueprint Sluice does not support; supported: load-scheduling\/average-latency, rate-limiting\/base/,
    );
  });

  it("takes the blueprint from aperturectl's values, makes the global limit a redis one and lists what it ignored", () => {
    const values = {
      blueprint: 'rate-limiting/base',
      uri: 'github.com/fluxninja/aperture/blueprints@latest',
      policy: {
        policy_name: 'per-user',
        rate_limiter: {
          alerter: { alert_name: 'More than 90% of requests are being rate limited' },
          bucket_capacity: 40,
          fill_amount: 2,
          selectors: [{ control_point: 'ingress', service: SERVICE }],
          parameters: { interval: '1s', limit_by_label_key: 'user_id' },
        },
      },
    };
    let migrated: ApertureMigratedPolicy | undefined;
    const [policy] = synthesise((scope) => {
      migrated = new ApertureMigratedPolicy(scope, 'm', { values });
    }) as Any[];
    assert.equal(policy?.spec.rateLimiters[0].backend, 'redis');
    assert.equal(policy?.spec.rateLimiters[0].bucketCapacity, 40);
    assert.deepEqual(
      migrated?.warnings.map((warning) => warning.path),
      ['policy.rate_limiter.alerter'],
    );
    assert.throws(
      () =>
        synthesise(
          (scope) =>
            new ApertureMigratedPolicy(scope, 'm', { blueprint: 'load-scheduling/average-latency', values }),
        ),
      /the file names blueprint "rate-limiting\/base" but "load-scheduling\/average-latency" was asked for/,
    );
  });
});
