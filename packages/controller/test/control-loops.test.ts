import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFlowPolicy, type CompiledPolicy } from '@sluice/spec';
import { ControlLoops } from '../src/control/control-loops.js';
import { LatencyBaseline } from '../src/control/latency-baseline.js';
import { MemoryBaselineStore } from '../src/state/baseline-store.js';
import { assertNear } from './support/assert-near.js';
import { basicServiceProtection } from './support/fixture-policy.js';

function policy(): CompiledPolicy {
  const result = compileFlowPolicy(basicServiceProtection());
  assert.ok(result.ok);
  return result.value;
}

const report = (latencyMs: number) => ({
  flux_meters: [
    {
      flux_meter_name: 'basic-service-protection/service1',
      series: [
        {
          labels: { decision_type: 'accepted', flow_status: 'OK' },
          count: 100,
          latency_sum_ms: 100 * latencyMs,
        },
      ],
    },
  ],
});

describe('ControlLoops', () => {
  it('creates a loop per load scheduler with its saved baseline, and ticks it every evaluationInterval', () => {
    const store = new MemoryBaselineStore();
    const warm = new LatencyBaseline({ windowTicks: 1800, warmUpTicks: 60 });
    for (let tick = 0; tick < 60; tick++) warm.learn(100, 5000);
    store.save('basic-service-protection/service1', warm.snapshot());
    const loops = new ControlLoops({ baselines: store });
    loops.sync([policy()]);
    assert.deepEqual(
      loops.loops().map(({ key }) => key),
      ['basic-service-protection/service1'],
    );
    assert.deepEqual(loops.tickDue(0), [], 'the first call only schedules');
    loops.record(report(110));
    assert.deepEqual(loops.tickDue(999), []);
    const [ticked] = loops.tickDue(1000);
    assert.ok(ticked !== undefined);
    assert.equal(ticked.result.status.state, 'throttling');
    assertNear(ticked.result.decision.loadMultiplier, 0.5);
    assert.deepEqual(loops.tickDue(1500), []);
    assert.equal(loops.tickDue(2000).length, 1);
  });

  it('persists a learning loop every 10 ticks and when its policy goes away', () => {
    const store = new MemoryBaselineStore();
    const loops = new ControlLoops({ baselines: store });
    loops.sync([policy()]);
    loops.tickDue(0);
    for (let tick = 1; tick <= 9; tick++) {
      loops.record(report(50));
      loops.tickDue(tick * 1000);
    }
    assert.equal(store.saved.size, 0);
    loops.record(report(50));
    loops.tickDue(10_000);
    assert.equal(store.saved.get('basic-service-protection/service1')?.learnedTicks, 10);
    loops.record(report(50));
    loops.tickDue(11_000);
    loops.sync([]);
    assert.equal(store.saved.get('basic-service-protection/service1')?.learnedTicks, 11);
    assert.deepEqual(loops.loops(), []);
  });
});
