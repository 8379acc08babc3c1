/**
 * The controller's two roles under leader election, over real gRPC and HTTP on loopback with a clock
 * the test steps: a follower refuses agents as not-leader (UNAVAILABLE, `sluice-not-leader: 1`), runs
 * no loops and saves no baselines, yet is Ready; `lead()` builds the loops on the newest persisted
 * baseline and serves agents; `follow()` ends every agent stream at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectivityState, credentials, status, type Client } from '@grpc/grpc-js';
import type { ControllerMessage } from '@sluice/spec';
import { agentSyncClientConstructor, notLeaderRefusal } from '@sluice/spec/protos';
import { Controller } from '../src/controller.js';
import { LatencyBaseline } from '../src/control/latency-baseline.js';
import { MemoryBaselineStore } from '../src/state/baseline-store.js';
import { TestAgent } from './support/agent-client.js';
import { eventCount } from './support/event-count.js';
import { basicServiceProtection } from './support/fixture-policy.js';
import { ManualClock } from '@sluice/clock/manual';

const KEY = 'basic-service-protection/service1';

function learned(meanMs: number) {
  const baseline = new LatencyBaseline({ windowTicks: 1800, warmUpTicks: 60 });
  for (let tick = 0; tick < 60; tick++) baseline.learn(100, 100 * meanMs);
  return baseline.snapshot();
}

const hello = (agent: TestAgent, id: string) =>
  agent.hello({
    agent_id: id,
    hostname: 'node-1',
    agent_group: 'default',
    version: '0.1.0',
    capabilities: [],
  });
const isDecisions = (message: ControllerMessage) => message.payload === 'decisions';

describe('Controller roles', () => {
  const clock = new ManualClock();
  const baselines = new MemoryBaselineStore();
  let controller: Controller;
  let grpcPort: number;
  let httpPort: number;
  let apiPort: number;
  const agents: TestAgent[] = [];
  const http = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${path.startsWith('/v1/') ? apiPort : httpPort}${path}`);
    return { status: response.status, body: (await response.json()) as any };
  };
  const metrics = async () => (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();

  before(async () => {
    baselines.save(KEY, learned(50));
    controller = new Controller({
      clock,
      baselines,
      log: () => undefined,
      role: 'follower',
      leader: () => 'controller-a',
    });
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
    for (const agent of agents) agent.close();
    await controller.stop();
  });

  it('a follower refuses agents as not-leader: UNAVAILABLE, the message prefix and trailers naming the leader', async () => {
    const agent = new TestAgent(grpcPort);
    agents.push(agent);
    hello(agent, 'agent-early');
    const error = await agent.closed;
    assert.equal(error?.code, status.UNAVAILABLE);
    assert.equal(error?.details, 'not the leader; the leader is controller-a: connect to another replica');
    assert.deepEqual(error?.metadata?.get('sluice-not-leader'), ['1']);
    assert.deepEqual(error?.metadata?.get('sluice-leader'), ['controller-a']);
    assert.deepEqual(error === undefined ? undefined : notLeaderRefusal(error), { leader: 'controller-a' });
    assert.deepEqual(agent.received, []);
  });

  it('a follower runs no loops and pushes nothing on ticks, yet is Ready', async () => {
    let ticks = 0;
    controller.events.on('tick', () => (ticks += 1));
    clock.advance(5000);
    assert.equal(ticks, 0);
    assert.deepEqual(controller.loops.loops(), []);
    const ready = await http('/readyz');
    assert.deepEqual([ready.status, ready.body.role, ready.body.leader], [200, 'follower', 'controller-a']);
    const policies = await http('/v1/policies');
    assert.equal(policies.status, 503);
    assert.equal(
      policies.body.error,
      'this controller is a follower; the leader (controller-a) serves the API',
    );
    assert.match(await metrics(), /^sluice_controller_leader 0$/m);
  });

  it('lead() builds the loops on the newest persisted baseline and serves agents', async () => {
    // The leader that was saved the baseline moved it on while this replica followed.
    baselines.save(KEY, learned(80));
    controller.lead();
    assert.equal(controller.role, 'leader');
    assert.equal(controller.loops.get(KEY)?.status.baselineMs, 80);
    const agent = new TestAgent(grpcPort);
    agents.push(agent);
    const connected = eventCount(controller.events, 'agent-connected', 1);
    hello(agent, 'agent-1');
    await connected;
    assert.equal((await agent.next(() => true)).payload, 'components');
    await agent.next(isDecisions);
    const pushed = agent.upcoming(isDecisions);
    clock.advance(1000);
    clock.advance(1000);
    await pushed;
    assert.equal((await http('/readyz')).status, 200);
    assert.equal((await http('/v1/policies')).status, 200);
    assert.match(await metrics(), /^sluice_controller_leader 1$/m);
    assert.match(await metrics(), /^sluice_controller_leadership_changes_total\{role="leader"\} 1$/m);
  });

  it('follow() ends every agent stream with UNAVAILABLE at once, drops the loops, and saves nothing more', async () => {
    const agent = agents.at(-1);
    assert.ok(agent !== undefined);
    const saved = baselines.load(KEY);
    controller.follow();
    const error = await agent.closed;
    assert.equal(error?.code, status.UNAVAILABLE);
    assert.equal(
      error?.metadata?.get('sluice-not-leader')[0],
      '1',
      'a stream open at step-down reads as refused',
    );
    assert.deepEqual(controller.loops.loops(), []);
    assert.equal(controller.sync.connectedAgentIds.length, 0);
    // Saves are gated: a follower never writes over what the leader persists.
    controller.loops.persistAll();
    assert.deepEqual(baselines.load(KEY), saved);
    assert.match(await metrics(), /^sluice_controller_leadership_changes_total\{role="follower"\} 1$/m);
    const again = new TestAgent(grpcPort);
    agents.push(again);
    hello(again, 'agent-1');
    const refused = await again.closed;
    assert.equal(refused?.code, status.UNAVAILABLE);
    assert.deepEqual(refused === undefined ? undefined : notLeaderRefusal(refused), {
      leader: 'controller-a',
    });
  });

  it(
    "drains a refused agent's connection, so its channel dials anew (with one address, such as a ClusterIP Service's, it would otherwise stay on this replica)",
    { timeout: 10_000 },
    async () => {
      const Client = agentSyncClientConstructor();
      const client = new Client(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
      const channel = (client as unknown as Client).getChannel();
      const states: string[] = [];
      const idleAgain = new Promise<void>((resolve) => {
        const watch = (last: connectivityState) => {
          channel.watchConnectivityState(last, Date.now() + 10_000, () => {
            const now = channel.getConnectivityState(false);
            states.push(connectivityState[now]);
            if (now === connectivityState.IDLE && states.includes('READY')) return resolve();
            watch(now);
          });
        };
        watch(channel.getConnectivityState(true));
      });
      const stream = client.Connect();
      const refused = new Promise<number | undefined>((resolve) =>
        stream.on('error', (error: { code?: number }) => resolve(error.code)),
      );
      stream.write({ payload: 'hello', hello: { agent_id: 'agent-2', agent_group: 'default' } });
      assert.equal(await refused, status.UNAVAILABLE);
      // GOAWAY: the connection is closed and the channel goes back to IDLE, rather than staying READY
      // on this replica and sending the next Connect here again.
      await idleAgain;
      assert.deepEqual(states.slice(-2), ['READY', 'IDLE']);
      client.close();
    },
  );
});
