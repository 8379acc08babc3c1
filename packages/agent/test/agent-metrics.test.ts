import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentMetrics } from '../src/metrics/agent-metrics.js';

test('every series metric of the agent is capped, and overflow is counted by metric', async () => {
  const metrics = new AgentMetrics({ processMetrics: false, maxSeriesPerMetric: 10 });
  for (let i = 0; i < 500; i++) {
    metrics.checks.inc({ control_point: `cp-${i}`, decision: 'accepted' });
    metrics.decisionEvents.inc({ policy_name: `p-${i}`, component_id: 'c', outcome: 'applied' });
  }
  const text = await metrics.registry.metrics();
  const lines = (prefix: string) => text.split('\n').filter((line) => line.startsWith(prefix)).length;
  assert.equal(lines('sluice_agent_checks_total{'), 10);
  assert.equal(lines('sluice_agent_load_decisions_total{'), 10);
  assert.match(text, /sluice_agent_metric_series_overflow_total\{metric="sluice_agent_checks_total"\} 490/);
  assert.match(
    text,
    /sluice_agent_metric_series_overflow_total\{metric="sluice_agent_load_decisions_total"\} 490/,
  );
});
