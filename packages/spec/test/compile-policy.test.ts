import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse } from 'yaml';
import { CompiledComponentSchema, compileFlowPolicy } from '../src/index.js';
import { canonicalJson, policyHash } from '../src/compile/policy-hash.js';

/** The example policy as a plain document (a fresh copy on every call, free to mutate). */
function basicServiceProtection(): Record<string, any> {
  const file = new URL('./fixtures/policies/basic-service-protection.yaml', import.meta.url);
  return parse(readFileSync(file, 'utf8')) as Record<string, any>;
}

function compiled(document: unknown) {
  const result = compileFlowPolicy(document);
  if (!result.ok) assert.fail(`expected a valid policy, got ${JSON.stringify(result.issues)}`);
  return result.value;
}

describe('compileFlowPolicy', () => {
  it('compiles the example into classifier, signal flux meter and load scheduler, each valid for agents', () => {
    const policy = compiled(basicServiceProtection());
    assert.equal(policy.policyName, 'basic-service-protection');
    assert.match(policy.policyHash, /^[0-9a-f]{32}$/);
    assert.deepEqual(
      policy.components.map((component) => `${component.kind}:${component.componentId}`),
      ['classifier:classifier-0', 'flux-meter:service1/signal', 'load-scheduler:service1'],
    );
    for (const component of policy.components) {
      assert.equal(CompiledComponentSchema.safeParse(component).success, true, component.componentId);
      assert.equal(component.policyHash, policy.policyHash);
    }
    const scheduler = policy.components.find((component) => component.kind === 'load-scheduler');
    assert.ok(scheduler?.kind === 'load-scheduler');
    assert.equal(scheduler.fluxMeterName, 'basic-service-protection/service1');
    assert.deepEqual(
      scheduler.workloads.map((workload) => [workload.name, workload.priority]),
      [
        ['guests', 50],
        ['subscribers', 200],
      ],
    );
    assert.deepEqual(scheduler.defaultWorkload, {
      name: 'default',
      labelMatcher: {},
      priority: 1,
      tokens: 1,
    });
    assert.equal(scheduler.decisionDeadlineMarginMs, 25);
    assert.equal(scheduler.maxQueueTimeoutMs, 1000);
    assert.deepEqual(policy.agentGroups, ['default']);
  });

  it('resolves the control loop parameters to milliseconds with the spec defaults', () => {
    const [loop] = compiled(basicServiceProtection()).controlLoops;
    assert.ok(loop !== undefined);
    assert.deepEqual(
      { ...loop, policyHash: 'x' },
      {
        policyName: 'basic-service-protection',
        policyHash: 'x',
        componentId: 'service1',
        fluxMeterName: 'basic-service-protection/service1',
        latencyToleranceMultiplier: 1.1,
        signalWindowMs: 5000,
        baselineWindowMs: 1_800_000,
        warmUpMs: 60_000,
        evaluationIntervalMs: 1000,
        decisionTtlMs: 30_000,
        releaseAfterWindows: 12,
        minGradient: 0.1,
        maxGradient: 1,
        maxLoadMultiplier: 2,
        linearIncrement: 0.025,
        backlogDrainFloor: 0.95,
        errorRatioTolerance: 0.05,
        dryRun: false,
      },
    );
  });

  it('hashes the validated spec: key order and explicit defaults do not change the hash, a value does', () => {
    const base = compiled(basicServiceProtection()).policyHash;
    const reordered = basicServiceProtection();
    reordered.spec = {
      loadSchedulers: reordered.spec.loadSchedulers,
      classifiers: reordered.spec.classifiers,
    };
    reordered.spec.loadSchedulers[0].dryRun = false;
    reordered.spec.loadSchedulers[0].averageLatency.signalWindow = '5s';
    assert.equal(compiled(reordered).policyHash, base);
    const changed = basicServiceProtection();
    changed.spec.loadSchedulers[0].workloads[0].priority = 51;
    assert.notEqual(compiled(changed).policyHash, base);
  });

  it('reports a misspelled field with its path, value and what is allowed', () => {
    const document = basicServiceProtection();
    document.spec.loadSchedulers[0].workloads[1].priorty = 200;
    const result = compileFlowPolicy(document);
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.deepEqual(result.issues, [
      {
        path: 'spec.loadSchedulers[0].workloads[1].priorty',
        value: '200',
        allowed: 'unknown field (did you mean "priority"?)',
      },
    ]);
  });

  it('reports control-loop timings the schema cannot check, at their paths', () => {
    const document = basicServiceProtection();
    document.spec.loadSchedulers[0].averageLatency.signalWindow = '500ms';
    document.spec.loadSchedulers[0].averageLatency.decisionTtl = '1s';
    const result = compileFlowPolicy(document);
    assert.ok(!result.ok);
    assert.deepEqual(result.issues, [
      {
        path: 'spec.loadSchedulers[0].averageLatency.signalWindow',
        value: '"500ms"',
        allowed: 'must be at least the evaluationInterval (1s)',
      },
      {
        path: 'spec.loadSchedulers[0].averageLatency.decisionTtl',
        value: '"1s"',
        allowed: 'must be longer than the evaluationInterval (1s)',
      },
    ]);
  });

  const example = new URL('../../../examples/basic/policies/basic-service-protection.yaml', import.meta.url);
  it(
    'compiles the repository example examples/basic/policies (what `npx sluice-controller --policies examples/basic/policies` loads)',
    { skip: existsSync(example) ? false : 'examples/basic is not in this checkout' },
    () => {
      const policy = compiled(parse(readFileSync(example, 'utf8')));
      assert.equal(policy.policyName, 'basic-service-protection');
      assert.deepEqual(
        policy.components.map((component) => component.kind),
        ['classifier', 'flux-meter', 'load-scheduler'],
      );
    },
  );

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const result = compileFlowPolicy(input);
        return result.ok || result.issues.length > 0;
      }),
      { numRuns: 300 },
    );
  });
});

describe('policyHash', () => {
  it('is the first 128 bits of SHA-256 over canonical JSON', () => {
    assert.equal(
      canonicalJson({ b: [1, { d: 2, c: undefined, a: null }], a: 'x' }),
      '{"a":"x","b":[1,{"a":null,"d":2}]}',
    );
    // sha256('{"a":1}') = 015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862
    assert.equal(policyHash({ a: 1 }), '015abd7f5cc57a2dd94b7590f04ad808');
  });
  it('resolves classifier telemetry (header rules only when asked) and carries tokensFromBaggage', () => {
    const document = basicServiceProtection();
    document.spec.classifiers = [
      {
        selectors: [{ controlPoint: 'ingress' }],
        rules: {
          user: { header: 'x-user' },
          'user-exported': { header: 'x-user', telemetry: true },
          tenant: { pathTemplate: '/tenants/{tenant}' },
        },
      },
    ];
    document.spec.rateLimiters = [
      {
        name: 'per-user',
        selectors: [{ controlPoint: 'ingress' }],
        bucketCapacity: 5,
        fillAmount: 5,
        tokensLabelKey: 'cost',
        tokensFromBaggage: true,
      },
    ];
    const policy = compiled(document);
    const classifier = policy.components.find((component) => component.kind === 'classifier');
    assert.ok(classifier?.kind === 'classifier');
    assert.deepEqual(
      Object.fromEntries(Object.entries(classifier.rules).map(([label, rule]) => [label, rule.telemetry])),
      { user: false, 'user-exported': true, tenant: true },
    );
    const limiter = policy.components.find((component) => component.kind === 'rate-limiter');
    assert.ok(limiter?.kind === 'rate-limiter');
    assert.equal(limiter.tokensFromBaggage, true);
    const scheduler = policy.components.find((component) => component.kind === 'load-scheduler');
    assert.ok(scheduler?.kind === 'load-scheduler');
    assert.equal(scheduler.tokensFromBaggage, false);
  });
});
