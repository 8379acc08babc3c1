/**
 * Aperture's own files (fixtures/aperture/README.md names the source of each) through the converters:
 * every values file and every generated Policy CR either converts, with its key numbers checked, or
 * is refused with the message that names why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  compileFlowPolicy,
  convertAperturePolicy,
  convertApertureValuesFile,
  formatIssue,
  parseFlowPolicy,
  type ApertureConversion,
  type FlowPolicy,
} from '../src/index.js';

const FIXTURES = new URL('./fixtures/aperture/', import.meta.url);
const load = (file: string): unknown => parse(readFileSync(new URL(file, FIXTURES), 'utf8'));
const values = (name: string): ApertureConversion =>
  convertApertureValuesFile(load(`values/${name}.yaml`), undefined);
const cr = (name: string): ApertureConversion => convertAperturePolicy(load(`policies/${name}.yaml`));

function converted(result: ApertureConversion): FlowPolicy {
  assert.ok(result.ok, result.ok ? '' : result.issues.map(formatIssue).join('\n'));
  const parsed = parseFlowPolicy(result.value);
  assert.ok(parsed.ok);
  return parsed.value;
}

function refusal(result: ApertureConversion): string {
  assert.ok(!result.ok, 'expected a refusal');
  return result.issues.map(formatIssue).join('\n');
}

const DEMO = 'service1-demo-app.demoapp.svc.cluster.local';

/** What each fixture must give; every file in values/ and policies/ has an entry (checked below). */
const RATE_LIMITS: Record<
  string,
  {
    name: string;
    capacity: number;
    fill: number;
    interval: string;
    limitBy: string;
    service?: string;
    controlPoint: string;
    tokens?: string;
  }
> = {
  'cli-values': {
    name: 'rate-limiting',
    capacity: 40,
    fill: 2,
    interval: '1s',
    limitBy: 'http.request.header.user_type',
    service: DEMO,
    controlPoint: 'ingress',
  },
  'graceful-js-rate-limiting': {
    name: 'rate-limiting',
    capacity: 30,
    fill: 2,
    interval: '60s',
    limitBy: 'http.request.header.user_id',
    service: DEMO,
    controlPoint: 'ingress',
  },
  'guides-per-user-rate-limiting': {
    name: 'rate-limit-test',
    capacity: 10,
    fill: 10,
    interval: '30s',
    limitBy: 'user_id',
    controlPoint: 'rate-limiting-feature',
  },
  'infra-per-user-rate-limiting': {
    name: 'static-rate-limiting',
    capacity: 40,
    fill: 2,
    interval: '1s',
    limitBy: 'http.request.header.user_id',
    service: 'catalog-service.prod.svc.cluster.local',
    controlPoint: 'ingress',
  },
  'rate-limiting': {
    name: 'rate-limiting',
    capacity: 40,
    fill: 2,
    interval: '1s',
    limitBy: 'http.request.header.user_id',
    service: DEMO,
    controlPoint: 'ingress',
    tokens: 'http.request.header.tokens',
  },
};

for (const [fixture, expected] of Object.entries(RATE_LIMITS)) {
  const sources: [string, () => ApertureConversion][] = [['values', () => values(fixture)]];
  if (readdirSync(new URL('policies/', FIXTURES)).includes(`${fixture}.yaml`))
    sources.push(['policy CR', () => cr(fixture)]);
  for (const [kind, convert] of sources) {
    test(`${kind} ${fixture}: a global rate limit of ${expected.capacity}/${expected.fill} per ${expected.interval} on redis`, () => {
      const policy = converted(convert());
      assert.equal(policy.metadata.name, expected.name);
      const limiter = policy.spec.rateLimiters[0];
      assert.equal(policy.spec.rateLimiters.length, 1);
      assert.equal(limiter?.bucketCapacity, expected.capacity);
      assert.equal(limiter?.fillAmount, expected.fill);
      assert.equal(limiter?.interval, expected.interval);
      assert.equal(limiter?.limitByLabelKey, expected.limitBy);
      assert.equal(limiter?.tokensLabelKey, expected.tokens);
      assert.equal(limiter?.selectors[0]?.controlPoint, expected.controlPoint);
      assert.equal(limiter?.selectors[0]?.service, expected.service ?? 'any');
      // Aperture shares a limit across agents; converted as local it would multiply by the agent count.
      assert.equal(limiter?.backend, 'redis');
      assert.equal(policy.spec.loadSchedulers.length, 0);
    });
  }
}

test('graceful-js rate-limiting keeps its path label matcher', () => {
  const policy = converted(values('graceful-js-rate-limiting'));
  assert.deepEqual(policy.spec.rateLimiters[0]?.selectors[0]?.labelMatcher?.matchLabels, {
    'http.path': '/api/rate-limit',
  });
});

const SCHEDULERS: Record<
  string,
  { name: string; tolerance: number; workloads: [string | undefined, number][]; service: string }
> = {
  'basic-service-protection': {
    name: 'basic-service-protection',
    tolerance: 1.1,
    workloads: [],
    service: DEMO,
  },
  'workload-prioritization': {
    name: 'workload-prioritization',
    tolerance: 1.1,
    workloads: [
      ['guest', 50],
      ['subscriber', 200],
    ],
    service: DEMO,
  },
  'graceful-js-workload-prioritization': {
    name: 'workload-prioritization',
    tolerance: 1.1,
    workloads: [
      ['guest', 5],
      ['subscriber', 250],
    ],
    service: DEMO,
  },
  'infra-average-latency-feedback': {
    name: 'workload-prioritization',
    tolerance: 1.1,
    workloads: [
      [undefined, 50],
      [undefined, 200],
    ],
    service: 'cart-service.prod.svc.cluster.local',
  },
};

for (const [fixture, expected] of Object.entries(SCHEDULERS)) {
  const sources: [string, () => ApertureConversion][] = [['values', () => values(fixture)]];
  if (readdirSync(new URL('policies/', FIXTURES)).includes(`${fixture}.yaml`))
    sources.push(['policy CR', () => cr(fixture)]);
  for (const [kind, convert] of sources) {
    test(`${kind} ${fixture}: one average-latency scheduler, tolerance ${expected.tolerance}, ${expected.workloads.length} workloads`, () => {
      const result = convert();
      const policy = converted(result);
      assert.equal(policy.metadata.name, expected.name);
      assert.equal(policy.spec.loadSchedulers.length, 1);
      const scheduler = policy.spec.loadSchedulers[0];
      assert.equal(scheduler?.selectors[0]?.service, expected.service);
      assert.equal(scheduler?.selectors[0]?.controlPoint, 'ingress');
      assert.equal(scheduler?.averageLatency.latencyToleranceMultiplier, expected.tolerance);
      assert.deepEqual(
        scheduler?.workloads.map((workload) => [workload.name, workload.priority]),
        expected.workloads,
      );
      assert.equal(scheduler?.averageLatency.fluxMeter?.selectors?.[0]?.service, expected.service);
      assert.ok(result.ok);
      // Aperture's alerter has no counterpart: said, not dropped.
      if (kind === 'policy CR') {
        assert.ok(result.warnings.some((w) => w.path.endsWith('aimd_load_scheduler.alerter')));
        // The CR spells out the blueprint's defaults: 0.025 per 10 s is 0.0025 per 1 s tick, 1800s baseline.
        assert.ok(Math.abs((scheduler?.averageLatency.aimd.linearIncrement ?? 0) - 0.0025) < 1e-12);
        assert.equal(scheduler?.averageLatency.baselineWindow, '1800s');
        assert.equal(scheduler?.averageLatency.aimd.maxLoadMultiplier, 2);
        assert.equal(scheduler?.averageLatency.aimd.minGradient, 0.1);
      }
    });
  }
}

test('the workload-prioritization CR compiles to the same components and loop as its values file', () => {
  // Both sides name every AIMD setting except the baseline window, whose Aperture default (1800s)
  // equals Sluice's (30m); so the two must agree to the millisecond.
  const fromValues = converted(values('infra-average-latency-feedback'));
  const fromCr = converted(cr('infra-average-latency-feedback'));
  const a = compileFlowPolicy(fromValues);
  const b = compileFlowPolicy(fromCr);
  assert.ok(a.ok && b.ok);
  // The hash covers the spec as written ('1800s' against the implicit '30m'), so it differs; nothing else may.
  const unhashed = (components: readonly object[]) =>
    components.map((component) => ({ ...component, policyHash: '' }));
  assert.deepEqual(unhashed(b.value.components), unhashed(a.value.components));
  assert.deepEqual(unhashed(b.value.controlLoops), unhashed(a.value.controlLoops));
  assert.equal(b.value.controlLoops[0]?.baselineWindowMs, 1_800_000);
});

test('the header classifier of workload-prioritization converts', () => {
  for (const result of [values('workload-prioritization'), cr('workload-prioritization')]) {
    const policy = converted(result);
    assert.equal(policy.spec.classifiers[0]?.rules['user_type']?.header, 'user-type');
  }
});

test('workload_latency_based_tokens is converted with a warning naming it', () => {
  const result = values('basic-service-protection');
  assert.ok(result.ok);
  assert.deepEqual(
    result.warnings.map((w) => w.path),
    [
      'policy.load_scheduling_core.aimd_load_scheduler.alerter',
      'policy.load_scheduling_core.aimd_load_scheduler.load_scheduler.workload_latency_based_tokens',
    ],
  );
});

test('the CR dry_run_config_key is reported: Sluice has no dynamic configuration', () => {
  const result = cr('basic-service-protection');
  assert.ok(result.ok);
  const warning = result.warnings.find((w) => w.path.endsWith('dry_run_config_key'));
  assert.match(warning?.note ?? '', /no dynamic configuration/);
  assert.equal(converted(result).spec.loadSchedulers[0]?.dryRun, false);
});

const REFUSED_VALUES: Record<string, RegExp[]> = {
  'blueprint-average-latency': [
    /policy\.policy_name: "__REQUIRED_FIELD__" is not allowed; aperturectl's placeholder/,
  ],
  'blueprint-rate-limiting': [
    /policy\.rate_limiter\.bucket_capacity: "__REQUIRED_FIELD__"/,
    /policy\.rate_limiter\.parameters\.interval: "__REQUIRED_FIELD__"/,
  ],
  'cli-raw-values': [/policy\.rate_limiter\.fill_amount: "__REQUIRED_FIELD__"/],
  'auto-scale-escalation': [
    /policy\.components: \["auto_scale\.auto_scaler"\] is not allowed; custom circuit components/,
  ],
  'java-service-protection': [/policy\.components: \["decider","switcher","flow_control\.rate_limiter"\]/],
  'rl-escalation': [/policy\.components: \["decider","switcher","flow_control\.rate_limiter"\]/],
  'rl-escalation-kong': [/policy\.components: \["decider","switcher","flow_control\.rate_limiter"\]/],
  'rl-escalation-nginx': [/policy\.components: \["decider","switcher","flow_control\.rate_limiter"\]/],
  'graphql-rate-limiting': [
    /classifiers\[0\]\.rego: .*Rego classifiers are not supported/,
    /lazy_sync\.enabled: true is not allowed/,
  ],
  'infra-graphql': [/classifiers\[0\]\.rego: .*Rego classifiers are not supported/],
  'prometheus-workload-prioritization': [/classifiers\[0\]\.rego/],
  'weighted-service-protection': [
    /workloads\[0\]\.label_matcher\.expression: .* expression trees are not supported/,
    /workloads\[1\]\.label_matcher\.expression/,
  ],
  'quota-scheduler': [
    /blueprint: "quota-scheduling\/base" is not allowed; an Aperture blueprint Sluice does not support; supported: load-scheduling\/average-latency, rate-limiting\/base/,
  ],
  'rabbitmq-queue-buildup': [
    /blueprint: "load-scheduling\/promql" is not allowed; an Aperture blueprint Sluice does not support/,
  ],
};

const REFUSED_CRS: Record<string, RegExp[]> = {
  'auto-scale-escalation': [
    /spec\.circuit\.components\[0\.\.0\]: \["auto_scale\.auto_scaler"\] is not allowed; components added to the load-scheduling\/average-latency blueprint's circuit are not supported/,
  ],
  'java-service-protection': [
    /spec\.circuit\.components\[0\.\.2\]: \["decider","switcher","flow_control\.rate_limiter"\]/,
  ],
  'rl-escalation': [/spec\.circuit\.components\[0\.\.2\]/],
  'rl-escalation-kong': [/spec\.circuit\.components\[0\.\.2\]/],
  'rl-escalation-nginx': [/spec\.circuit\.components\[0\.\.2\]/],
  'graphql-rate-limiting': [
    /\(values\) policy\.resources\.flow_control\.classifiers\[0\]\.rego/,
    /\(values\) policy\.rate_limiter\.parameters\.lazy_sync\.enabled/,
  ],
  'infra-graphql': [/\(values\) policy\.resources\.flow_control\.classifiers\[0\]\.rego/],
  'prometheus-workload-prioritization': [
    /\(values\) policy\.resources\.flow_control\.classifiers\[0\]\.rego/,
  ],
  'weighted-service-protection': [/\(values\) .*workloads\[0\]\.label_matcher\.expression/],
  'quota-scheduler': [
    /generated from Aperture's quota-scheduling\/base blueprint \(flow_control\.quota_scheduler\), which Sluice does not support; supported: load-scheduling\/average-latency, rate-limiting\/base/,
  ],
  'rabbitmq-queue-buildup': [
    /generated from Aperture's load-scheduling\/promql.* blueprint \(flow_control\.aiad_load_scheduler\), which Sluice does not support/,
  ],
};

for (const [fixture, patterns] of Object.entries(REFUSED_VALUES)) {
  test(`values ${fixture} is refused, naming why`, () => {
    const message = refusal(values(fixture));
    for (const pattern of patterns) assert.match(message, pattern);
  });
}
for (const [fixture, patterns] of Object.entries(REFUSED_CRS)) {
  test(`policy CR ${fixture} is refused, naming why`, () => {
    const message = refusal(cr(fixture));
    for (const pattern of patterns) assert.match(message, pattern);
  });
}

test('every fixture file has an expectation', () => {
  const expected = (refused: Record<string, unknown>) =>
    [...Object.keys(RATE_LIMITS), ...Object.keys(SCHEDULERS), ...Object.keys(refused)].sort();
  const files = (dir: string) =>
    readdirSync(new URL(`${dir}/`, FIXTURES))
      .map((file) => file.replace(/\.yaml$/, ''))
      .sort();
  assert.deepEqual(files('values'), expected(REFUSED_VALUES));
  const crs = files('policies');
  for (const name of crs)
    assert.ok(expected(REFUSED_CRS).includes(name), `no expectation for policies/${name}`);
  // 23 values files (21 for the supported blueprints, 2 unsupported) and 17 CRs.
  assert.equal(files('values').length, 23);
  assert.equal(crs.length, 17);
});
