import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  convertApertureValues,
  convertApertureValuesFile,
  formatIssue,
  parseFlowPolicy,
  resolveApertureBlueprint,
} from '../src/index.js';

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
      backend: 'redis',
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

const rateLimitValues = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  blueprint: 'rate-limiting/base',
  uri: 'github.com/fluxninja/aperture/blueprints@latest',
  policy: {
    policy_name: 'per-user',
    rate_limiter: {
      bucket_capacity: 40,
      fill_amount: 2,
      selectors: [{ control_point: 'ingress' }],
      parameters: { interval: '1s', ...parameters },
      ...extra,
    },
  },
});

test("aperturectl's blueprint and uri keys are accepted and name the blueprint", () => {
  const result = convertApertureValuesFile(rateLimitValues({}), undefined);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.blueprint, 'rate-limiting/base');
  assert.equal(result.value.spec.rateLimiters?.[0]?.bucketCapacity, 40);
  // The same name asked for agrees.
  assert.ok(convertApertureValuesFile(rateLimitValues({}), 'rate-limiting/base').ok);
});

test('a blueprint asked for that differs from the one the file names is refused naming both', () => {
  const result = convertApertureValuesFile(rateLimitValues({}), 'load-scheduling/average-latency');
  assert.ok(!result.ok);
  assert.deepEqual(result.issues, [
    {
      path: 'blueprint',
      value: '"rate-limiting/base"',
      allowed:
        'the file names blueprint "rate-limiting/base" but "load-scheduling/average-latency" was asked for; they must match',
    },
  ]);
});

test('no blueprint anywhere, and a misspelt one, are refused listing the supported ones', () => {
  const missing = resolveApertureBlueprint({ policy: {} }, undefined);
  assert.ok(!missing.ok);
  assert.match(
    missing.issues[0]?.allowed ?? '',
    /supported: load-scheduling\/average-latency, rate-limiting\/base$/,
  );
  const typo = resolveApertureBlueprint({ blueprint: 'rate-limiting/bse' }, undefined);
  assert.ok(!typo.ok);
  assert.equal(
    typo.issues.map(formatIssue).join('\n'),
    'blueprint: "rate-limiting/bse" is not allowed; not a blueprint Sluice or Aperture knows (did you mean "rate-limiting/base"?); supported: load-scheduling/average-latency, rate-limiting/base',
  );
});

test('an Aperture rate limit is global: it converts to redis, or to local only when asked, with a warning', () => {
  const global = convertApertureValues('rate-limiting/base', rateLimitValues({}));
  assert.ok(global.ok);
  assert.equal(global.value.spec.rateLimiters?.[0]?.backend, 'redis');
  assert.deepEqual(global.warnings, []);
  const local = convertApertureValues('rate-limiting/base', rateLimitValues({}), {
    rateLimitBackend: 'local',
  });
  assert.ok(local.ok);
  assert.equal(local.value.spec.rateLimiters?.[0]?.backend, 'local');
  assert.equal(local.warnings.length, 1);
  assert.equal(local.warnings[0]?.path, 'policy.rate_limiter');
  assert.match(local.warnings[0]?.note ?? '', /every agent its own bucket/);
});

test('alerter under rate_limiter is accepted with a warning; an unknown alerter key is not', () => {
  const alerted = convertApertureValues(
    'rate-limiting/base',
    rateLimitValues(
      {},
      { alerter: { alert_name: 'More than 90% of requests are being rate limited', severity: 'info' } },
    ),
  );
  assert.ok(alerted.ok);
  assert.deepEqual(
    alerted.warnings.map((w) => w.path),
    ['policy.rate_limiter.alerter'],
  );
  const typo = convertApertureValues(
    'rate-limiting/base',
    rateLimitValues({}, { alerter: { alert_nam: 'x' } }),
  );
  assert.ok(!typo.ok);
  assert.equal(typo.issues[0]?.path, 'policy.rate_limiter.alerter.alert_nam');
});

test('max_idle_time converts when the bucket refills before either side forgets it, else is refused', () => {
  // 40 tokens at 2 per 1s refill in 20 s: any idle time of at least 20 s behaves like Sluice's 7200 s.
  for (const idle of ['7200s', '20s', '0s', '86400s']) {
    const result = convertApertureValues('rate-limiting/base', rateLimitValues({ max_idle_time: idle }));
    assert.ok(result.ok, `${idle}: ${JSON.stringify(result)}`);
  }
  const short = convertApertureValues('rate-limiting/base', rateLimitValues({ max_idle_time: '10s' }));
  assert.ok(!short.ok);
  assert.equal(short.issues[0]?.path, 'policy.rate_limiter.parameters.max_idle_time');
  assert.match(short.issues[0]?.allowed ?? '', /this bucket takes 20s to refill/);
  // A bucket refilling in 10000 s (40 tokens, 2 per 500 s): Sluice forgets it after 7200 s, Aperture never (0).
  const slow = convertApertureValues(
    'rate-limiting/base',
    rateLimitValues({ interval: '500s', max_idle_time: '0s' }),
  );
  assert.ok(!slow.ok);
  assert.match(slow.issues[0]?.allowed ?? '', /takes 10000s to refill/);
});
