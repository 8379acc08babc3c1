import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoadPlanSchema, planDurationMs, stageAt, targetAt } from '../src/load-plan.js';

const plan = LoadPlanSchema.parse({
  workloads: [
    { name: 'guests', kind: 'open-loop', headers: { 'user-type': 'guest' } },
    {
      name: 'subscribers',
      kind: 'closed-loop',
      headers: { 'user-type': 'subscriber' },
      userIds: { count: 5 },
    },
  ],
  stages: [
    { name: 'baseline', durationMs: 1000, targets: { guests: 10, subscribers: 2 } },
    { name: 'overload', durationMs: 2000, ramp: 'linear', targets: { guests: 50, subscribers: 6 } },
    { name: 'recovery', durationMs: 1000, targets: { guests: 5 } },
  ],
});

describe('load plan schedule', () => {
  it('applies defaults', () => {
    assert.equal(plan.workloads[0]?.method, 'GET');
    assert.equal(plan.workloads[0]?.path, '/request');
    assert.equal(plan.workloads[0]?.arrivals, 'uniform');
    assert.deepEqual(plan.workloads[1]?.userIds, { header: 'user-id', count: 5, prefix: '' });
    assert.equal(plan.maxRequests, 1_000_000);
  });

  it('steps, ramps linearly from the previous stage, and ends at 0', () => {
    assert.equal(planDurationMs(plan), 4000);
    assert.equal(targetAt(plan, 'guests', 0), 10);
    assert.equal(targetAt(plan, 'guests', 999), 10);
    assert.equal(targetAt(plan, 'guests', 1000), 10);
    assert.equal(targetAt(plan, 'guests', 2000), 30);
    assert.equal(targetAt(plan, 'subscribers', 2500), 5);
    assert.equal(targetAt(plan, 'subscribers', 3000), 0);
    assert.equal(targetAt(plan, 'guests', 3500), 5);
    assert.equal(targetAt(plan, 'guests', 4000), 0);
    assert.deepEqual(stageAt(plan, 1500), { index: 1, name: 'overload', startMs: 1000 });
    assert.equal(stageAt(plan, 4000), undefined);
  });

  it('rejects targets for unknown workloads and duplicate names, by path', () => {
    const result = LoadPlanSchema.safeParse({
      workloads: [
        { name: 'a', kind: 'open-loop' },
        { name: 'a', kind: 'closed-loop' },
      ],
      stages: [{ name: 's', durationMs: 1, targets: { b: 1 } }],
    });
    assert.equal(result.success, false);
    const messages = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    assert.deepEqual(messages, [
      'workloads.1.name: duplicate workload name "a"',
      'stages.0.targets.b: no workload named "b"; workloads: a',
    ]);
  });
});
