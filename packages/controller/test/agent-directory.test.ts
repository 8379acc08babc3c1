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

describe('AgentDirectory bounds', () => {
  const points = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, index) => point(`${prefix}-${index}`));

  it('keeps at most maxControlPointsPerAgent per agent and counts the rest; known ones still refresh', () => {
    const directory = new AgentDirectory({ maxControlPointsPerAgent: 100 });
    directory.register({ agent_id: 'a' }, 0);
    directory.register({ agent_id: 'b' }, 0);
    assert.deepEqual(directory.report('a', { sequence: 1, control_points: points('x', 3000) }, 1000), {
      droppedOverCap: 2900,
      droppedTooLong: 0,
    });
    assert.deepEqual(directory.report('a', { sequence: 2, control_points: points('y', 3000) }, 2000), {
      droppedOverCap: 3000,
      droppedTooLong: 0,
    });
    directory.report('b', { sequence: 1, control_points: points('x', 50) }, 2000);
    assert.equal(directory.size, 150);
    // x-0 is known to a: reported again at 50 s, it outlives the rest of a's points.
    directory.report('a', { sequence: 3, control_points: [point('x-0')] }, 50_000);
    assert.equal(directory.expire(62_001), 1);
  });

  it('drops names longer than maxNameLength, counted', () => {
    const directory = new AgentDirectory({ maxNameLength: 10 });
    directory.register({ agent_id: 'a' }, 0);
    const outcome = directory.report(
      'a',
      {
        sequence: 1,
        control_points: [point('s'.repeat(11)), { service: 's', control_point: 'c'.repeat(11) }, point('ok')],
      },
      0,
    );
    assert.deepEqual(outcome, { droppedOverCap: 0, droppedTooLong: 2 });
    assert.equal(directory.size, 1);
  });

  it('expire removes what is past the expiry without anyone reading control points', () => {
    const directory = new AgentDirectory();
    directory.register({ agent_id: 'a' }, 0);
    directory.report('a', { sequence: 1, control_points: points('x', 500) }, 0);
    assert.equal(directory.expire(60_000), 500);
    assert.equal(directory.expire(60_001), 0);
    assert.equal(directory.size, 0);
  });
});
