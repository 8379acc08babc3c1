import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Construct } from 'constructs';
import {
  ApertureMigratedPolicy,
  AverageLatencyPolicy,
  FlowPolicyResource,
  headerClassifier,
  IstioConfig,
  RateLimitPolicy,
  SluiceAgent,
  SluiceController,
  SluiceCrds,
  SluicePlatform,
  TenantGateways,
} from '../src/index.js';
import { synthesise } from './support/helm.js';

const SERVICE = 'checkout.shop.svc.cluster.local';
/** Typed props with a typo in them: what a JavaScript caller or a cast could pass. */
type Loose = any;

interface Typo {
  readonly construct: string;
  readonly build: (scope: Construct) => void;
  /** The line of the error: path, value, "unknown field" and the guess. */
  readonly line: string;
}

const TYPOS: Typo[] = [
  {
    construct: 'RateLimitPolicy',
    build: (scope) =>
      new RateLimitPolicy(scope, 'limit', {
        name: 'per-user',
        service: SERVICE,
        bucketCapacity: 10,
        fillAmount: 5,
        limitByLabelkey: 'user-id',
      } as Loose),
    line: 'limitByLabelkey: "user-id" is not allowed; unknown field (did you mean "limitByLabelKey"?)',
  },
  {
    construct: 'AverageLatencyPolicy',
    build: (scope) =>
      new AverageLatencyPolicy(scope, 'protect', {
        name: 'protect',
        service: SERVICE,
        latencyToleranceMultipler: 1.2,
      } as Loose),
    line: 'latencyToleranceMultipler: 1.2 is not allowed; unknown field (did you mean "latencyToleranceMultiplier"?)',
  },
  {
    construct: 'AverageLatencyPolicy (a workload)',
    build: (scope) =>
      new AverageLatencyPolicy(scope, 'protect', {
        name: 'protect',
        service: SERVICE,
        workloads: [
          { name: 'a', priority: 1, matchLabels: {} },
          { name: 'b', priority: 2, matchLabels: { tier: 'gold' }, queueTimeOut: '100ms' },
        ],
      } as Loose),
    line: 'workloads[1].queueTimeOut: "100ms" is not allowed; unknown field (did you mean "queueTimeout"?)',
  },
  {
    construct: 'AverageLatencyPolicy (the load scheduler, checked by the FlowPolicy schema)',
    build: (scope) =>
      new AverageLatencyPolicy(scope, 'protect', {
        name: 'protect',
        service: SERVICE,
        loadScheduler: { averageLatency: { latencyToleranceMultipler: 1.2 } },
      } as Loose),
    line: 'spec.loadSchedulers[0].averageLatency.latencyToleranceMultipler: 1.2 is not allowed; unknown field (did you mean "latencyToleranceMultiplier"?)',
  },
  {
    construct: 'ApertureMigratedPolicy',
    build: (scope) =>
      new ApertureMigratedPolicy(scope, 'migrated', {
        blueprint: 'rate-limiting/base',
        values: {},
        namespce: 'shop',
      } as Loose),
    line: 'namespce: "shop" is not allowed; unknown field (did you mean "namespace"?)',
  },
  {
    construct: 'headerClassifier',
    build: () =>
      headerClassifier({ service: SERVICE, labels: { tier: 'x-tier' }, controlpoint: 'egress' } as Loose),
    line: 'controlpoint: "egress" is not allowed; unknown field (did you mean "controlPoint"?)',
  },
  {
    construct: 'FlowPolicyResource',
    build: (scope) =>
      new FlowPolicyResource(scope, 'policy', {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'FlowPolicy',
        metadata: { name: 'p' },
        spec: {
          rateLimiters: [
            {
              name: 'r',
              selectors: [{ controlPoint: 'ingress' }],
              bucketCapacity: 1,
              fillAmount: 1,
              limitByLabelkey: 'user-id',
            },
          ],
        },
      } as Loose),
    line: 'spec.rateLimiters[0].limitByLabelkey: "user-id" is not allowed; unknown field (did you mean "limitByLabelKey"?)',
  },
  {
    construct: 'SluiceAgent',
    build: (scope) => new SluiceAgent(scope, 'agent', { redis: { ulr: 'redis://redis:6379' } } as Loose),
    line: 'redis.ulr: "redis://redis:6379" is not allowed; unknown field (did you mean "url"?)',
  },
  {
    construct: 'SluiceController',
    build: (scope) => new SluiceController(scope, 'controller', { replicass: 2 } as Loose),
    line: 'replicass: 2 is not allowed; unknown field (did you mean "replicas"?)',
  },
  {
    construct: 'SluicePlatform',
    build: (scope) => new SluicePlatform(scope, 'sluice', { agent: { logLevl: 'debug' } } as Loose),
    line: 'agent.logLevl: "debug" is not allowed; unknown field (did you mean "logLevel"?)',
  },
  {
    construct: 'SluiceCrds',
    build: (scope) => new SluiceCrds(scope, 'crds', { keepOnUninstal: true } as Loose),
    line: 'keepOnUninstal: true is not allowed; unknown field (did you mean "keepOnUninstall"?)',
  },
  {
    construct: 'IstioConfig',
    build: (scope) => new IstioConfig(scope, 'istio', { agent: { prot: 9090 } } as Loose),
    line: 'agent.prot: 9090 is not allowed; unknown field (did you mean "port"?)',
  },
  {
    construct: 'TenantGateways',
    build: (scope) =>
      new TenantGateways(scope, 'tenants', {
        tenants: [
          { name: 'a', hosts: ['a.example.com'], backend: { service: 'a', port: 80 }, issur: 'letsencrypt' },
        ],
      } as Loose),
    line: 'tenants[0].issur: "letsencrypt" is not allowed; unknown field (did you mean "issuer"?)',
  },
];

for (const typo of TYPOS) {
  test(`${typo.construct} refuses a misspelt prop with its path, value and a guess`, () => {
    assert.throws(
      () => synthesise((chart) => typo.build(chart)),
      (error: Error) => {
        assert.equal(error.name, 'SpecValidationError');
        const lines = error.message.split('\n').slice(1);
        assert.deepEqual(lines, [`  - ${typo.line}`], error.message);
        return true;
      },
    );
  });
}

test('a policy without typos still synthesises, so the key lists match the props', () => {
  const objects = synthesise((scope) => {
    new RateLimitPolicy(scope, 'limit', {
      name: 'per-user',
      namespace: 'shop',
      service: SERVICE,
      controlPoint: 'ingress',
      bucketCapacity: 10,
      fillAmount: 5,
      interval: '1s',
      limitByLabelKey: 'user-id',
      backend: 'local',
      classifiers: [
        headerClassifier({ service: SERVICE, controlPoint: 'ingress', labels: { 'user-id': 'x-user' } }),
      ],
    });
    new AverageLatencyPolicy(scope, 'protect', {
      name: 'protect',
      namespace: 'shop',
      service: SERVICE,
      controlPoint: 'ingress',
      agentGroup: 'default',
      workloads: [
        { name: 'a', priority: 1, matchLabels: { tier: 'gold' }, tokens: 2, queueTimeout: '100ms' },
      ],
      classifiers: [],
      latencyToleranceMultiplier: 1.2,
      loadScheduler: { dryRun: true },
    });
  });
  assert.equal(objects.length, 2);
});
