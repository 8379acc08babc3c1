import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { convertApertureValues, parseFlowPolicy } from '../src/index.js';

const fixture = (name: string): unknown =>
  parse(readFileSync(new URL(`./fixtures/aperture/${name}`, import.meta.url), 'utf8'));
const SERVICE = 'service1-demo-app.demoapp.svc.cluster.local';

test("the seed's values file converts to the hand-checked FlowPolicy", () => {
  const result = convertApertureValues(
    'load-scheduling/average-latency',
    fixture('basic-service-protection.values.yaml'),
  );
  assert.ok(result.ok, JSON.stringify(result));
  // Written by hand from the seed: one scheduler on ingress of service1, the flux meter on the same
  // selector, tolerance 1.1; nothing else set, so Sluice's defaults apply.
  assert.deepEqual(result.value, {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'FlowPolicy',
    metadata: { name: 'basic-service-protection' },
    spec: {
      loadSchedulers: [
        {
          name: 'load-scheduler',
          selectors: [{ controlPoint: 'ingress', service: SERVICE }],
          averageLatency: {
            fluxMeter: { selectors: [{ controlPoint: 'ingress', service: SERVICE }] },
            latencyToleranceMultiplier: 1.1,
          },
        },
      ],
    },
  });
  const parsed = parseFlowPolicy(result.value);
  assert.ok(parsed.ok);
  const scheduler = parsed.value.spec.loadSchedulers[0];
  assert.equal(scheduler?.averageLatency.aimd.linearIncrement, 0.025);
  assert.equal(scheduler?.decisionDeadlineMargin, '25ms');
  assert.equal(scheduler?.selectors[0]?.agentGroup, 'default');
});

test('workloads, classifiers, status names and the per-10 s increment convert', () => {
  const result = convertApertureValues(
    'load-scheduling/average-latency',
    fixture('workload-prioritization.values.yaml'),
  );
  assert.ok(result.ok, JSON.stringify(result));
  const scheduler = result.value.spec.loadSchedulers?.[0];
  assert.deepEqual(scheduler?.workloads, [
    { name: 'guests', labelMatcher: { matchLabels: { user_type: 'guest' } }, priority: 50 },
    {
      name: 'subscribers',
      labelMatcher: { matchLabels: { user_type: 'subscriber' } },
      priority: 200,
      queueTimeout: '0.5s',
    },
  ]);
  assert.equal(scheduler?.deniedResponseStatusCode, 503);
  assert.equal(scheduler?.decisionDeadlineMargin, '0.01s');
  assert.equal(scheduler?.averageLatency?.baselineWindow, '1800s');
  assert.equal(scheduler?.averageLatency?.latencyToleranceMultiplier, 1.25);
  // 0.025 per 10 s is 0.0025 per 1 s tick.
  assert.ok(Math.abs((scheduler?.averageLatency?.aimd?.linearIncrement ?? 0) - 0.0025) < 1e-12);
  assert.deepEqual(result.value.spec.classifiers?.[0]?.rules, { user_type: { header: 'user-type' } });
});

test('unsupported blueprints are refused by name', () => {
  const result = convertApertureValues('load-scheduling/promql', {});
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.equal(result.issues[0]?.path, 'blueprint');
  assert.match(result.issues[0]?.allowed ?? '', /load-scheduling\/average-latency, rate-limiting\/base/);
});

test('fields Sluice cannot honour are refused with their path and reason', () => {
  const document = fixture('basic-service-protection.values.yaml') as { policy: Record<string, unknown> };
  const core = document.policy['load_scheduling_core'] as Record<string, unknown>;
  core['overload_confirmations'] = [{ query_string: 'up', threshold: 1, operator: 'gt' }];
  const aimd = core['aimd_load_scheduler'] as Record<string, unknown>;
  aimd['gradient'] = { slope: 1 };
  const result = convertApertureValues('load-scheduling/average-latency', document);
  assert.ok(!result.ok);
  const paths = result.issues.map((issue) => issue.path).sort();
  assert.deepEqual(paths, [
    'policy.load_scheduling_core.aimd_load_scheduler.gradient.slope',
    'policy.load_scheduling_core.overload_confirmations',
  ]);
  assert.match(result.issues.find((i) => i.path.endsWith('slope'))?.allowed ?? '', /only -1/);
});

test('an unknown Aperture key is an unknown field, not silently dropped', () => {
  const document = fixture('basic-service-protection.values.yaml') as { policy: Record<string, unknown> };
  const baseliner = document.policy['latency_baseliner'] as Record<string, unknown>;
  baseliner['latency_tolerance_multipler'] = 1.2;
  const result = convertApertureValues('load-scheduling/average-latency', document);
  assert.ok(!result.ok);
  assert.deepEqual(result.issues, [
    {
      path: 'policy.latency_baseliner.latency_tolerance_multipler',
      value: '1.2',
      allowed: 'unknown field (did you mean "latency_tolerance_multiplier"?)',
    },
  ]);
});

test('rate-limiting/base converts, including the deprecated label_key', () => {
  const result = convertApertureValues('rate-limiting/base', {
    policy: {
      policy_name: 'per-user-limit',
      rate_limiter: {
        bucket_capacity: 40,
        fill_amount: 2,
        selectors: [{ control_point: 'ingress', service: SERVICE }],
        parameters: { interval: '1s', label_key: 'user_id' },
        request_parameters: { denied_response_status_code: 'TooManyRequests' },
      },
    },
  });
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.value.spec.rateLimiters, [
    {
      name: 'rate-limiter',
      selectors: [{ controlPoint: 'ingress', service: SERVICE }],
      bucketCapacity: 40,
      fillAmount: 2,
      interval: '1s',
      limitByLabelKey: 'user_id',
      deniedResponseStatusCode: 429,
    },
  ]);
});

test('lazy sync and an unknown status name are refused', () => {
  const result = convertApertureValues('rate-limiting/base', {
    policy: {
      policy_name: 'x',
      rate_limiter: {
        bucket_capacity: 1,
        fill_amount: 1,
        selectors: [{ control_point: 'ingress' }],
        parameters: { interval: '1s', lazy_sync: { enabled: true } },
        request_parameters: { denied_response_status_code: 'Teapot' },
      },
    },
  });
  assert.ok(!result.ok);
  assert.deepEqual(
    result.issues.map((issue) => issue.path),
    [
      'policy.rate_limiter.parameters.lazy_sync.enabled',
      'policy.rate_limiter.request_parameters.denied_response_status_code',
    ],
  );
});
