import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentDirectory } from '../src/sync/agent-directory.js';

const point = (service: string) => ({
  service,
  control_point: 'ingress',
  type: 'CONTROL_POINT_TYPE_HTTP' as const,
});

describe('AgentDirectory', () => {
  it('merges control points over agents of a group and drops them 60 s after the last flow', () => {
    const directory = new AgentDirectory();
    directory.register({ agent_id: 'a', agent_group: '' }, 0);
    directory.register({ agent_id: 'b', agent_group: 'default' }, 0);
    directory.report('a', { sequence: 1, control_points: [point('s1'), point('s2')] }, 1000);
    directory.report('b', { sequence: 1, control_points: [point('s1')] }, 30_000);
    assert.deepEqual(
      directory
        .controlPoints(30_000)
        .map((row) => [row.agentGroup, row.service, row.controlPoint, row.type, row.agents]),
      [
        ['default', 's1', 'ingress', 'http', 2],
        ['default', 's2', 'ingress', 'http', 1],
      ],
    );
    assert.deepEqual(
      directory.controlPoints(61_001).map((row) => [row.service, row.agents]),
      [['s1', 1]],
    );
    assert.deepEqual(directory.controlPoints(90_001), []);
  });

  it('counts reports lost in transit from sequence gaps', () => {
    const directory = new AgentDirectory();
    directory.register({ agent_id: 'a' }, 0);
    for (const sequence of [1, 2, 5, 6, 9]) directory.report('a', { sequence }, sequence * 1000);
    assert.equal(directory.get('a')?.reports, 5);
    assert.equal(directory.get('a')?.missedReports, 4);
  });

  it('forgets an agent and its control points', () => {
    const directory = new AgentDirectory();
    directory.register({ agent_id: 'a' }, 0);
    directory.report('a', { sequence: 1, control_points: [point('s1')] }, 0);
    directory.forget('a');
    assert.deepEqual(directory.agents(), []);
    assert.deepEqual(directory.controlPoints(0), []);
  });
});
