import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentCounters, metricSum, parseVmRssBytes } from '../src/soak/process-sampler.js';

test('VmRSS is read in kB and returned in bytes', () => {
  const status = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmRSS:\t  187432 kB\nRssAnon:\t  150000 kB\n';
  assert.equal(parseVmRssBytes(status), 187_432 * 1024);
  assert.throws(() => parseVmRssBytes('Name:\tnode\nState:\tZ (zombie)\n'), /no VmRSS line/);
});

const METRICS = [
  '# HELP sluice_agent_checks_total Checks answered.',
  'sluice_agent_checks_total{control_point="ingress",decision="accepted"} 900',
  'sluice_agent_checks_total{control_point="ingress",decision="rejected"} 100',
  'sluice_agent_checks_total_created 1700000000',
  'sluice_agent_controller_messages_total{payload="components"} 7',
  'sluice_agent_controller_messages_total{payload="decisions"} 30',
  'sluice_agent_load_decisions_total{outcome="applied"} 20',
  'sluice_agent_load_decisions_total{outcome="stale-hash"} 2',
  'sluice_agent_nodejs_active_handles_total 22',
].join('\n');

test('a metric is summed over its series, and a longer name with the same prefix is not counted', () => {
  assert.equal(metricSum(METRICS, 'sluice_agent_checks_total'), 1000);
  assert.equal(metricSum(METRICS, 'sluice_agent_checks_total', 'decision="rejected"'), 100);
  assert.equal(metricSum(METRICS, 'sluice_agent_nodejs_active_handles_total'), 22);
  assert.equal(metricSum(METRICS, 'sluice_agent_nodejs_active_handles'), undefined);
});

test('the agent counters read absent metrics as 0', () => {
  assert.deepEqual(agentCounters(METRICS), {
    checks: 1000,
    checksRejected: 100,
    checkErrors: 0,
    componentMessages: 7,
    policyErrors: 0,
    staleHashDecisions: 2,
  });
});
