/**
 * AgentSync over real gRPC on loopback: two test agents speak the real sync.proto (loaded by
 * @sluice/spec with the shared proto-loader options) to a controller whose clock the test steps.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { CompiledComponentSchema, type ControllerMessage, type syncV1 } from '@sluice/spec';
import { Controller } from '../src/controller.js';
import { LatencyBaseline } from '../src/control/latency-baseline.js';
import { MemoryBaselineStore } from '../src/state/baseline-store.js';
import { PolicyRegistry } from '../src/policies/policy-registry.js';
import { AgentDirectory } from '../src/sync/agent-directory.js';
import { AgentSyncServer } from '../src/sync/agent-sync-server.js';
import { assertNear } from './support/assert-near.js';
import { TestAgent } from './support/agent-client.js';
import { eventCount } from './support/event-count.js';
import { basicServiceProtection } from './support/fixture-policy.js';
import { ManualClock } from '@sluice/clock/manual';

const POLICY = 'basic-service-protection';
const METER = `${POLICY}/service1`;
const SERVICE = 'service1-demo-app.demoapp.svc.cluster.local';

function latencyReport(flows: number, latencyMs: number): Omit<syncV1.Report, 'sequence'> {
  return {
    agent_time_ms: 0,
    interval_ms: 1000,
    flux_meters: [
      {
        flux_meter_name: METER,
        bucket_bounds_ms: [50, 100],
        series: [
          {
            labels: { decision_type: 'accepted', status_code: '200', flow_status: 'OK' },
            count: flows,
            latency_sum_ms: flows * latencyMs,
            bucket_counts: [0, 0, flows],
          },
        ],
      },
    ],
    token_counters: [
      {
        policy_name: POLICY,
        component_id: 'service1',
        workloads: [
          { workload: 'guests', incoming_tokens: flows, accepted_tokens: flows, rejected_tokens: 0 },
        ],
      },
    ],
    control_points: [{ service: SERVICE, control_point: 'ingress', type: 'CONTROL_POINT_TYPE_HTTP' }],
  };
}

const isComponents = (message: ControllerMessage) => message.payload === 'components';
const isDecisions = (message: ControllerMessage) => message.payload === 'decisions';

describe('AgentSync server with two agents over real gRPC', () => {
  const clock = new ManualClock();
  let controller: Controller;
  let grpcPort: number;
  let httpPort: number;
  let apiPort: number;
  let agentA: TestAgent;
  let agentB: TestAgent;

  before(async () => {
    // A persisted 50 ms baseline (setpoint 55), so control starts without a 60 s warm-up.
    const baselines = new MemoryBaselineStore();
    const baseline = new LatencyBaseline({ windowTicks: 1800, warmUpTicks: 60 });
    for (let tick = 0; tick < 60; tick++) baseline.learn(100, 5000);
    baselines.save(`${POLICY}/service1`, baseline.snapshot());
    controller = new Controller({ clock, baselines, log: () => undefined });
    controller.registry.apply('policy.yaml', basicServiceProtection());
    ({ grpcPort, httpPort, apiPort } = await controller.start({
      grpcPort: 0,
      httpPort: 0,
      apiPort: 0,
      host: '127.0.0.1',
    }));
    controller.markReady();
  });

  after(async () => {
    agentA?.close();
    agentB?.close();
    await controller.stop();
  });

  const api = async (path: string, init?: RequestInit) => {
    const response = await fetch(`http://127.0.0.1:${apiPort}${path}`, init);
    return { status: response.status, body: (await response.json()) as any };
  };

  it('registers both agents and sends each the components of its group, then the decisions in force', async () => {
    const connected = eventCount(controller.events, 'agent-connected', 2);
    agentA = new TestAgent(grpcPort);
    agentA.hello({
      agent_id: 'agent-a',
      hostname: 'node-1',
      agent_group: 'default',
      version: '0.1.0',
      capabilities: ['preview'],
    });
    agentB = new TestAgent(grpcPort);
    agentB.hello({
      agent_id: 'agent-b',
      hostname: 'node-2',
      agent_group: 'default',
      version: '0.1.0',
      capabilities: [],
    });
    await connected;
    for (const agent of [agentA, agentB]) {
      const first = await agent.next(() => true);
      assert.equal(first.payload, 'components', 'components come first');
      assert.ok(first.payload === 'components');
      const [policy] = first.components.policies ?? [];
      assert.equal(policy?.policy_name, POLICY);
      assert.match(policy?.policy_hash ?? '', /^[0-9a-f]{32}$/);
      const components = (policy?.components ?? []).map((component) =>
        CompiledComponentSchema.parse(JSON.parse(component.json ?? '')),
      );
      assert.deepEqual(
        components.map((component) => component.kind),
        ['classifier', 'flux-meter', 'load-scheduler'],
      );
      const decisions = await agent.next(isDecisions);
      assert.ok(decisions.payload === 'decisions');
      assert.deepEqual(
        decisions.decisions.decisions?.map((decision) => [
          decision.component_id,
          decision.pass_through,
          decision.ttl_ms,
        ]),
        [['service1', true, 30_000]],
      );
    }
    const { body } = await api('/v1/agents');
    assert.deepEqual(
      body.agents.map((agent: any) => [agent.agentId, agent.hostname, agent.agentGroup, agent.capabilities]),
      [
        ['agent-a', 'node-1', 'default', ['preview']],
        ['agent-b', 'node-2', 'default', []],
      ],
    );
  });

  it("aggregates both agents' reports weighted by counts and pushes the resulting decision at once", async () => {
    const reported = eventCount(controller.events, 'report', 2);
    agentA.report(latencyReport(300, 100));
    agentB.report(latencyReport(100, 140));
    await reported;
    // Weighted signal: (300 × 100 + 100 × 140) / 400 = 110 ms = 2 × setpoint 55 ⇒ LM 0.5.
    const throttle = (message: ControllerMessage) =>
      message.payload === 'decisions' && message.decisions.decisions?.[0]?.pass_through === false;
    const pushedA = agentA.upcoming(throttle);
    const pushedB = agentB.upcoming(throttle);
    // The loop's first tick comes one evaluationInterval after the scheduler first sees it.
    clock.advance(2000);
    for (const message of [await pushedA, await pushedB]) {
      assert.ok(message.payload === 'decisions');
      assertNear(message.decisions.decisions?.[0]?.load_multiplier, 0.5);
      assert.equal(message.decisions.decisions?.[0]?.ttl_ms, 30_000);
    }
    const { body } = await api('/v1/policies');
    const [loop] = body.policies[0].controlLoops;
    assert.equal(loop.state, 'throttling');
    assertNear(loop.signalMs, 110);
    assertNear(loop.setpointMs, 55);
    assertNear(loop.loadMultiplier, 0.5);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    assert.match(
      metrics,
      /sluice_controller_load_multiplier\{policy_name="basic-service-protection",component_id="service1"\} 0\.5/,
    );
    assert.match(
      metrics,
      /sluice_controller_overloaded\{policy_name="basic-service-protection",component_id="service1"\} 1/,
    );
  });

  it('merges control points over agents', async () => {
    const { body } = await api('/v1/control-points');
    assert.deepEqual(
      body.controlPoints.map((row: any) => [
        row.agentGroup,
        row.service,
        row.controlPoint,
        row.type,
        row.agents,
      ]),
      [['default', SERVICE, 'ingress', 'http', 2]],
    );
  });

  it('pushes new components and a decision under the new hash when the policy changes', async () => {
    const changed = basicServiceProtection();
    changed.spec.loadSchedulers[0].workloads[0].priority = 60;
    const componentsA = agentA.upcoming(isComponents);
    const componentsB = agentB.upcoming(isComponents);
    const decisionsA = agentA.upcoming(isDecisions);
    const entry = controller.registry.apply('policy.yaml', changed);
    for (const message of [await componentsA, await componentsB]) {
      assert.ok(message.payload === 'components');
      assert.equal(message.components.policies?.[0]?.policy_hash, entry.hash);
    }
    const decisions = await decisionsA;
    assert.ok(decisions.payload === 'decisions');
    assert.equal(decisions.decisions.decisions?.[0]?.policy_hash, entry.hash);
    assertNear(
      decisions.decisions.decisions?.[0]?.load_multiplier,
      0.5,
      1e-9,
      'the throttle survives a recompile',
    );
  });

  it('forwards a preview to the agent that can preview and returns its samples', async () => {
    const requested = agentA.upcoming((message) => message.payload === 'preview_request');
    const response = api('/v1/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        controlPoint: 'ingress',
        service: SERVICE,
        labelMatcher: { matchLabels: { 'user-type': 'guest' } },
        samples: 2,
        timeout: '5s',
      }),
    });
    const request = await requested;
    assert.ok(request.payload === 'preview_request');
    assert.deepEqual(
      { ...request.preview_request, request_id: 'x' },
      {
        request_id: 'x',
        control_point: 'ingress',
        service: SERVICE,
        match_labels: { 'user-type': 'guest' },
        samples: 2,
        timeout_ms: 5000,
        kind: 'PREVIEW_KIND_FLOW_LABELS',
      },
    );
    agentA.stream.write({
      payload: 'preview_samples',
      preview_samples: {
        request_id: request.preview_request.request_id,
        flow_labels: [
          { labels: { 'user-type': 'guest', 'http.method': 'GET' } },
          { labels: { 'user-type': 'guest', 'http.method': 'POST' } },
        ],
        done: true,
      },
    });
    const { status: code, body } = await response;
    assert.equal(code, 200);
    assert.deepEqual(
      body.flowLabels.map((labels: any) => labels['http.method']),
      ['GET', 'POST'],
    );
    assert.deepEqual(body.agents, [{ agentId: 'agent-a', done: true }]);
    assert.equal(
      agentB.received.some((message) => message.payload === 'preview_request'),
      false,
      'agent-b did not announce preview',
    );
  });

  it('forgets an agent whose stream ends', async () => {
    const gone = once(controller.events, 'agent-disconnected');
    agentB.close();
    assert.deepEqual(await gone, ['agent-b']);
    const { body } = await api('/v1/agents');
    assert.deepEqual(
      body.agents.map((agent: any) => agent.agentId),
      ['agent-a'],
    );
  });

  it('ends a stream whose first message is not hello with INVALID_ARGUMENT', async () => {
    const rogue = new TestAgent(grpcPort);
    rogue.report(latencyReport(1, 1));
    const error = await rogue.closed;
    assert.equal(error?.code, status.INVALID_ARGUMENT);
    assert.equal(
      error?.details,
      'the first message on AgentSync.Connect must be hello with a non-empty agent_id',
    );
    rogue.close();
  });
});

describe('AgentSync server on its own', () => {
  it('sends an agent of another group no policies, and cancels a preview nobody finishes at its timeout', async () => {
    const registry = new PolicyRegistry();
    registry.apply('policy.yaml', basicServiceProtection());
    const agents = new AgentDirectory();
    const server = new AgentSyncServer({
      agents,
      policies: () => registry.running(),
      decisions: () => [],
      onReport: () => undefined,
      clock: new ManualClock(),
      log: () => undefined,
      previewGraceMs: 0,
    });
    const port = await server.start({ port: 0, host: '127.0.0.1' });
    const agent = new TestAgent(port);
    try {
      agent.hello({ agent_id: 'edge-1', agent_group: 'edge', capabilities: ['preview'] });
      const components = await agent.next(isComponents);
      assert.ok(components.payload === 'components');
      assert.deepEqual(
        components.components.policies ?? [],
        [],
        'the policy selects agent group default only',
      );

      const cancelled = agent.next((message) => message.payload === 'preview_cancel');
      const answer = await server.preview({
        controlPoint: 'ingress',
        samples: 5,
        timeoutMs: 50,
        kind: 'flow-labels',
      });
      assert.deepEqual(answer.agents, [{ agentId: 'edge-1', done: false }]);
      assert.deepEqual(answer.flowLabels, []);
      const cancel = await cancelled;
      assert.ok(cancel.payload === 'preview_cancel');
      assert.equal(cancel.preview_cancel.request_id, answer.requestId);
    } finally {
      agent.close();
      await server.stop();
    }
  });
});
