import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { overloadWavePlan, upstreamCapacityRps } from '../src/demo-plans.js';
import { LoadPlanSchema, planDurationMs, targetAt } from '../src/load-plan.js';

describe('demo plans', () => {
  it("sizes the overload wave from the upstream's capacity", () => {
    const capacity = upstreamCapacityRps({ concurrency: 10, latencyMs: 50 });
    assert.equal(capacity, 200);
    const plan = LoadPlanSchema.parse(overloadWavePlan({ capacityRps: capacity }));
    assert.equal(planDurationMs(plan), 60_000);
    assert.deepEqual([targetAt(plan, 'subscribers', 0), targetAt(plan, 'guests', 0)], [60, 60]);
    assert.deepEqual([targetAt(plan, 'subscribers', 10_000), targetAt(plan, 'guests', 10_000)], [120, 480]);
    assert.deepEqual([targetAt(plan, 'subscribers', 45_000), targetAt(plan, 'guests', 45_000)], [60, 60]);
    assert.deepEqual(
      plan.workloads.map((workload) => [workload.headers['user-type'], workload.userIds?.header]),
      [
        ['subscriber', 'user-id'],
        ['guest', 'user-id'],
      ],
    );
  });
});
