import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatIssue,
  parseFlowPolicy,
  parseFlowPolicyOrThrow,
  SpecValidationError,
  classifierRuleTelemetry,
  type FlowPolicyInput,
} from '../src/index.js';

const minimal = (): FlowPolicyInput => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind: 'FlowPolicy',
  metadata: { name: 'service-protection' },
  spec: { loadSchedulers: [{ name: 'protect', selectors: [{ controlPoint: 'ingress' }] }] },
});

test('defaults are applied throughout a minimal policy', () => {
  const policy = parseFlowPolicyOrThrow(minimal());
  assert.deepEqual(policy.spec.classifiers, []);
  assert.deepEqual(policy.spec.rateLimiters, []);
  const scheduler = policy.spec.loadSchedulers[0];
  assert.equal(scheduler?.tokensFromBaggage, false);
  assert.ok(scheduler);
  assert.deepEqual(scheduler.selectors, [{ controlPoint: 'ingress', service: 'any', agentGroup: 'default' }]);
  assert.deepEqual(scheduler.defaultWorkload, { priority: 1, tokens: 1 });
  assert.equal(scheduler.decisionDeadlineMargin, '25ms');
  assert.equal(scheduler.maxQueueTimeout, '1s');
  assert.equal(scheduler.deniedResponseStatusCode, 503);
  assert.equal(scheduler.dryRun, false);
  assert.deepEqual(scheduler.averageLatency, {
    fluxMeter: {},
    latencyToleranceMultiplier: 1.1,
    signalWindow: '5s',
    baselineWindow: '30m',
    warmUp: '60s',
    evaluationInterval: '1s',
    decisionTtl: '30s',
    releaseAfterWindows: 12,
    backlogDrainFloor: 0.95,
    errorRatioTolerance: 0.05,
    aimd: { minGradient: 0.1, maxGradient: 1.0, maxLoadMultiplier: 2.0, linearIncrement: 0.025 },
  });
});

test('rate limiter and flux meter defaults', () => {
  const input = minimal();
  input.spec = {
    fluxMeters: [{ name: 'latency', selectors: [{ controlPoint: 'ingress' }] }],
    rateLimiters: [
      { name: 'per-user', selectors: [{ controlPoint: 'ingress' }], bucketCapacity: 10, fillAmount: 5 },
    ],
    classifiers: [
      { selectors: [{ controlPoint: 'ingress' }], rules: { 'user-type': { header: 'user-type' } } },
    ],
  };
  const policy = parseFlowPolicyOrThrow(input);
  assert.deepEqual(
    policy.spec.fluxMeters[0]?.buckets,
    [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
  );
  const limiter = policy.spec.rateLimiters[0];
  assert.equal(limiter?.interval, '1s');
  assert.equal(limiter?.continuousFill, true);
  assert.equal(limiter?.backend, 'local');
  assert.equal(limiter?.deniedResponseStatusCode, 429);
  assert.equal(limiter?.dryRun, false);
  assert.equal(limiter?.tokensFromBaggage, false);
  // A header rule exports nothing unless it says telemetry: true (header values may be credentials).
  const rule = policy.spec.classifiers[0]?.rules['user-type'];
  assert.deepEqual(rule, { header: 'user-type', propagate: false });
  assert.equal(rule && classifierRuleTelemetry(rule), false);
  assert.equal(classifierRuleTelemetry({ header: 'user-type', telemetry: true }), true);
  assert.equal(classifierRuleTelemetry({ header: undefined, telemetry: undefined }), true);
});

// Table of bad documents: each names the path, the value and what is allowed.
const badCases: { name: string; mutate: (p: any) => void; path: string; value: string; allowed: RegExp }[] = [
  {
    name: 'a misspelled key deep in the spec',
    mutate: (p) => (p.spec.loadSchedulers[0].averageLatency = { aimd: { minGradent: 0.2 } }),
    path: 'spec.loadSchedulers[0].averageLatency.aimd.minGradent',
    value: '0.2',
    allowed: /unknown field/,
  },
  {
    name: 'a negative priority',
    mutate: (p) => (p.spec.loadSchedulers[0].workloads = [{ labelMatcher: {}, priority: -5 }]),
    path: 'spec.loadSchedulers[0].workloads[0].priority',
    value: '-5',
    allowed: /must be > 0/,
  },
  {
    name: 'a wrong type',
    mutate: (p) => (p.spec.loadSchedulers[0].dryRun = 'yes'),
    path: 'spec.loadSchedulers[0].dryRun',
    value: '"yes"',
    allowed: /expected boolean/,
  },
  {
    name: 'a bad duration',
    mutate: (p) => (p.spec.loadSchedulers[0].maxQueueTimeout = '2 seconds'),
    path: 'spec.loadSchedulers[0].maxQueueTimeout',
    value: '"2 seconds"',
    allowed: /duration such as 250ms/,
  },
  {
    name: 'an unknown backend',
    mutate: (p) =>
      (p.spec.rateLimiters = [
        { name: 'r', selectors: [{ controlPoint: 'x' }], bucketCapacity: 1, fillAmount: 1, backend: 'olric' },
      ]),
    path: 'spec.rateLimiters[0].backend',
    value: '"olric"',
    allowed: /allowed: "local", "redis"/,
  },
  {
    name: 'In without values',
    mutate: (p) =>
      (p.spec.loadSchedulers[0].selectors[0].labelMatcher = {
        matchExpressions: [{ key: 'a', operator: 'In' }],
      }),
    path: 'spec.loadSchedulers[0].selectors[0].labelMatcher.matchExpressions[0].values',
    value: '<missing>',
    allowed: /In needs at least one value/,
  },
  {
    name: 'a classifier rule with two sources',
    mutate: (p) =>
      (p.spec.classifiers = [
        { selectors: [{ controlPoint: 'x' }], rules: { a: { header: 'a', jsonPointer: '/a' } } },
      ]),
    path: 'spec.classifiers[0].rules.a',
    value: '{"header":"a","jsonPointer":"/a"}',
    allowed: /exactly one of header, jsonPointer or pathTemplate/,
  },
  {
    name: 'a classifier rule whose label name is not a flow-label name',
    mutate: (p) =>
      (p.spec.classifiers = [
        { selectors: [{ controlPoint: 'x' }], rules: { 'User Type!': { header: 'a' } } },
      ]),
    path: 'spec.classifiers[0].rules["User Type!"]',
    value: '{"header":"a"}',
    allowed: /^key must be a flow-label name: letters, digits/,
  },
  {
    name: 'a control point with a space',
    mutate: (p) => (p.spec.loadSchedulers[0].selectors[0].controlPoint = 'in gress'),
    path: 'spec.loadSchedulers[0].selectors[0].controlPoint',
    value: '"in gress"',
    allowed: /must be a control point: 1-128 characters of A-Z a-z 0-9 \. _ : \/ -/,
  },
  {
    name: 'a control point of 129 characters',
    mutate: (p) => (p.spec.loadSchedulers[0].selectors[0].controlPoint = 'c'.repeat(129)),
    path: 'spec.loadSchedulers[0].selectors[0].controlPoint',
    // Long values are cut in messages.
    value: `"${'c'.repeat(76)}...`,
    allowed: /must be a control point/,
  },
  {
    name: 'a service name starting with a dot',
    mutate: (p) => (p.spec.loadSchedulers[0].selectors[0].service = '.svc'),
    path: 'spec.loadSchedulers[0].selectors[0].service',
    value: '".svc"',
    allowed: /must be a service name: 1-253 characters/,
  },
  {
    name: 'an upper-case policy name',
    mutate: (p) => (p.metadata.name = 'Service_Protection'),
    path: 'metadata.name',
    value: '"Service_Protection"',
    allowed: /DNS-1123/,
  },
  {
    name: 'the reserved workload name default',
    mutate: (p) => (p.spec.loadSchedulers[0].workloads = [{ name: 'default', labelMatcher: {} }]),
    path: 'spec.loadSchedulers[0].workloads[0].name',
    value: '"default"',
    allowed: /reserved/,
  },
  {
    name: 'minGradient above maxGradient',
    mutate: (p) =>
      (p.spec.loadSchedulers[0].averageLatency = { aimd: { minGradient: 0.9, maxGradient: 0.5 } }),
    path: 'spec.loadSchedulers[0].averageLatency.aimd.minGradient',
    value: '0.9',
    allowed: /must not exceed maxGradient 0.5/,
  },
  {
    name: 'an errorRatioTolerance of 0 (use 1 to turn the condition off)',
    mutate: (p) => (p.spec.loadSchedulers[0].averageLatency = { errorRatioTolerance: 0 }),
    path: 'spec.loadSchedulers[0].averageLatency.errorRatioTolerance',
    value: '0',
    allowed: /greater than 0|> ?0/,
  },
  {
    name: 'an errorRatioTolerance above 1',
    mutate: (p) => (p.spec.loadSchedulers[0].averageLatency = { errorRatioTolerance: 1.5 }),
    path: 'spec.loadSchedulers[0].averageLatency.errorRatioTolerance',
    value: '1.5',
    allowed: /less than or equal to 1|<= ?1/,
  },
  {
    name: 'the wrong kind',
    mutate: (p) => (p.kind = 'Policy'),
    path: 'kind',
    value: '"Policy"',
    allowed: /allowed: "FlowPolicy"/,
  },
];

for (const bad of badCases) {
  test(`refuses ${bad.name}, naming path, value and what is allowed`, () => {
    const input = structuredClone(minimal()) as any;
    bad.mutate(input);
    const result = parseFlowPolicy(input);
    assert.ok(!result.ok, 'expected the document to be refused');
    const issue = result.issues.find((candidate) => candidate.path === bad.path);
    assert.ok(issue, `no issue at ${bad.path}; got ${JSON.stringify(result.issues)}`);
    assert.equal(issue.value, bad.value);
    assert.match(issue.allowed, bad.allowed);
  });
}

test('duplicate component names across kinds are refused', () => {
  const input = minimal() as any;
  input.spec.rateLimiters = [
    { name: 'protect', selectors: [{ controlPoint: 'ingress' }], bucketCapacity: 1, fillAmount: 1 },
  ];
  const result = parseFlowPolicy(input);
  assert.ok(!result.ok);
  assert.equal(result.issues[0]?.path, 'spec.loadSchedulers[0].name');
  assert.match(result.issues[0]?.allowed ?? '', /already used at rateLimiters\.0\.name/);
});

test('the throwing parser names the source and lists every issue', () => {
  const input = minimal() as any;
  input.spec.loadSchedulers[0].dryRun = 1;
  input.spec.bogus = true;
  assert.throws(
    () => parseFlowPolicyOrThrow(input, 'policies/protect.yaml'),
    (error: unknown) => {
      assert.ok(error instanceof SpecValidationError);
      assert.equal(error.issues.length, 2);
      assert.match(error.message, /^policies\/protect\.yaml is invalid:/);
      assert.match(error.message, /spec\.bogus: true is not allowed; unknown field/);
      return true;
    },
  );
});

test('Kubernetes metadata added by the API server is kept', () => {
  const input = minimal() as any;
  input.metadata = { ...input.metadata, uid: 'abc', generation: 3, resourceVersion: '17' };
  const policy = parseFlowPolicyOrThrow(input);
  assert.equal(policy.metadata['generation'], 3);
});

test('formatIssue renders one line', () => {
  assert.equal(
    formatIssue({ path: 'a.b', value: '1', allowed: 'expected string' }),
    'a.b: 1 is not allowed; expected string',
  );
});
