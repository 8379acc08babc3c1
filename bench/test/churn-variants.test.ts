import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BENCH_POLICY_NAME, BENCH_SCHEDULER } from '../src/decision-path/bench-policy.js';
import { churnVariants, variantState } from '../src/soak/churn-variants.js';

test('the variants are one policy with three different hashes, so every push is a rebuild', () => {
  const variants = churnVariants();
  assert.deepEqual(
    variants.map((variant) => variant.name),
    ['a', 'b', 'c'],
  );
  assert.ok(variants.every((variant) => variant.policy.policyName === BENCH_POLICY_NAME));
  assert.equal(new Set(variants.map((variant) => variant.policy.policyHash)).size, 3);
});

test('each variant has a classifier, a rate limiter and the scheduler the decisions name', () => {
  for (const variant of churnVariants()) {
    const kinds = variant.policy.components.map((component) => component.kind);
    for (const kind of ['classifier', 'rate-limiter', 'load-scheduler'])
      assert.ok(kinds.includes(kind as never), `${variant.name} lacks a ${kind}`);
    assert.ok(
      variant.policy.components.some((component) => component.componentId === BENCH_SCHEDULER),
      `${variant.name} has no ${BENCH_SCHEDULER}`,
    );
  }
});

test('the decision sent with a variant names its hash: pass-through for a, load multipliers for b and c', () => {
  const [a, b, c] = churnVariants();
  assert.ok(a && b && c);
  assert.deepEqual(variantState(a).decisions, [
    {
      policy_name: BENCH_POLICY_NAME,
      policy_hash: a.policy.policyHash,
      component_id: BENCH_SCHEDULER,
      pass_through: true,
    },
  ]);
  assert.equal(variantState(b).decisions[0]?.load_multiplier, 0.7);
  assert.equal(variantState(c).decisions[0]?.policy_hash, c.policy.policyHash);
  assert.deepEqual(variantState(c).policies, [c.policy]);
});
