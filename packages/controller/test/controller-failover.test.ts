/**
 * Controller availability with real processes: two `sluice-controller` executables (dist/main.js)
 * with leader election on their default timings (lease 8 s, renew deadline 6 s, retry 2 s), one real
 * `sluice-agent` (packages/agent/dist/main.js), and the faithful fake API server of
 * FakeKubeApiServer (@sluice/testkit) in this process, where each controller authenticates as
 * itself so every write is attributed. No cluster runs here, so no Service either: the agent dials
 * `ipv4:127.0.0.1:A,127.0.0.1:B`, both replicas, which is what it gets in a cluster from the chart's
 * headless `<fullname>-controller-peers` Service (`dns:///…`: the address of every Ready replica, and
 * followers are Ready too). It balances its Connects round robin over them; a follower refuses as
 * not-leader and the agent tries again within 100–300 ms, landing on the other replica.
 * The leader is killed with SIGKILL; the test measures how long until the other leads and until the
 * agent gets decisions from it (both within 15 s of the kill, asserted), and checks that Lease and
 * status writes only ever came from the leader of the moment.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { FakeKubeApiServer, freePort, packageBin, RunningProcess, type FakeCall } from '@sluice/testkit';
import { basicServiceProtection } from './support/fixture-policy.js';

const CONTROLLER_BIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const AGENT_BIN = packageBin('@sluice/agent', import.meta.url);
const NS = 'demo-system';
const POLICY = 'basic-service-protection';
/**
 * A killed leader must be replaced within this, and control must resume within it too: the agent
 * receives decisions from the new leader at most this long after the kill (the issue's requirement).
 */
const FAILOVER_BUDGET_MS = 15_000;

/** A baseline as FlowPolicy status holds it: 60 learned ticks at `meanMs`. */
const baseline = (meanMs: number) => ({
  version: 1,
  learnedTicks: 60,
  buckets: [{ ticks: 60, count: 6000, sumMs: 6000 * meanMs }],
});

function policy(latencyToleranceMultiplier: number) {
  const document = basicServiceProtection();
  document.spec.loadSchedulers[0].averageLatency.latencyToleranceMultiplier = latencyToleranceMultiplier;
  return document as { metadata: { name: string }; spec: unknown };
}

/** Polls `check` until it yields a value: waiting on a condition in another process, not a sleep. */
async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last !== undefined ? ` (${String(last)})` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function json(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: await response.json() };
}

function metric(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(name));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe(
  'two controller replicas with leader election and a real agent dialling both',
  { timeout: 90_000 },
  () => {
    const fake = new FakeKubeApiServer(NS);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-failover-'));
    const ports = { aGrpc: 0, aHttp: 0, aApi: 0, bGrpc: 0, bHttp: 0, bApi: 0, agentGrpc: 0, agentHttp: 0 };
    let a: RunningProcess;
    let b: RunningProcess;
    let agent: RunningProcess;
    let killedAtMs = 0;
    let bLedAtMs = 0;
    let decisionsAtKill = 0;
    const agentMetrics = async () => (await fetch(`http://127.0.0.1:${ports.agentHttp}/metrics`)).text();
    const decisionsReceived = async () =>
      metric(await agentMetrics(), 'sluice_agent_controller_messages_total{payload="decisions"}') ?? 0;

    function controller(
      identity: string,
      grpcPort: number,
      httpPort: number,
      apiPort: number,
    ): RunningProcess {
      const kubeconfig = join(dir, `${identity}.kubeconfig`);
      writeFileSync(kubeconfig, fake.kubeConfig(identity).exportConfig());
      return RunningProcess.spawn({
        name: identity,
        inheritEnv: false,
        args: [
          CONTROLLER_BIN,
          '--kubernetes',
          '--namespace',
          NS,
          '--grpc-port',
          String(grpcPort),
          '--http-port',
          String(httpPort),
          '--api-port',
          String(apiPort),
          // This test is about leader election; agent authentication has tests of its own.
          '--agent-auth',
          'none',
        ],
        env: {
          PATH: process.env.PATH ?? '',
          KUBECONFIG: kubeconfig,
          POD_NAME: identity,
          POD_NAMESPACE: NS,
          SLUICE_CONTROLLER_LEADER_ELECTION: 'true',
        },
      });
    }

    const statusWrites = (user: string) =>
      fake.calls.filter(
        (call: FakeCall) => call.user === user && call.method === 'PATCH' && call.path.endsWith('/status'),
      );
    const leaseWrites = (user: string) =>
      fake.calls.filter(
        (call: FakeCall) =>
          call.user === user &&
          (call.method === 'PUT' || call.method === 'POST') &&
          call.path.includes('/leases'),
      );

    before(async () => {
      await fake.start();
      fake.apply(policy(1.1));
      // A baseline an earlier controller saved: whoever leads must control on it from its first tick.
      fake.setStatus(POLICY, { controlLoops: { service1: { baseline: baseline(50) } } });
      for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
      a = controller('controller-a', ports.aGrpc, ports.aHttp, ports.aApi);
      await a.waitForLine(/controller-a follower -> leader \(acquired/, 20_000);
      b = controller('controller-b', ports.bGrpc, ports.bHttp, ports.bApi);
      await b.waitForLine(/leader election for Lease demo-system\/sluice-controller as controller-b/, 20_000);
      agent = RunningProcess.spawn({
        name: 'agent',
        inheritEnv: false,
        args: [
          AGENT_BIN,
          '--grpc-port',
          String(ports.agentGrpc),
          '--http-port',
          String(ports.agentHttp),
          // Both replicas, as the headless peers Service resolves in a cluster.
          '--controller',
          `ipv4:127.0.0.1:${ports.aGrpc},127.0.0.1:${ports.bGrpc}`,
          // Refusals after the first of a run are logged at debug; the test counts them.
          '--log-level',
          'debug',
        ],
        env: { PATH: process.env.PATH ?? '' },
      });
      await a.waitForLine(/agent .* connected/, 20_000);
    });

    after(async () => {
      await Promise.all([a?.kill(), b?.kill(), agent?.kill()]);
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('one replica leads and serves the agent; the other follows, Ready too, and answers /v1 with 503 naming the leader', async () => {
      assert.equal(fake.lease('sluice-controller')?.spec.holderIdentity, 'controller-a');
      const aReady = await json(`http://127.0.0.1:${ports.aHttp}/readyz`);
      assert.deepEqual([aReady.status, aReady.body.role], [200, 'leader']);
      // Every healthy replica is Ready, so a Deployment of two is available and its PDB allows an eviction.
      const bReady = await json(`http://127.0.0.1:${ports.bHttp}/readyz`);
      assert.deepEqual(
        [bReady.status, bReady.body.role, bReady.body.leader],
        [200, 'follower', 'controller-a'],
      );
      const bApi = await json(`http://127.0.0.1:${ports.bApi}/v1/policies`);
      assert.equal(bApi.status, 503);
      assert.equal(bApi.body.leader, 'controller-a');
      const aPolicies = await json(`http://127.0.0.1:${ports.aApi}/v1/policies`);
      assert.equal(aPolicies.body.policies[0].controlLoops[0].baselineMs, 50, 'the persisted baseline');
      const aAgents = await json(`http://127.0.0.1:${ports.aApi}/v1/agents`);
      assert.equal(aAgents.body.agents.length, 1);
      const bMetrics = await (await fetch(`http://127.0.0.1:${ports.bHttp}/metrics`)).text();
      assert.equal(metric(bMetrics, 'sluice_controller_leader'), 0);
      assert.equal(metric(bMetrics, 'sluice_controller_connected_agents'), 0, 'the follower serves no agent');
    });

    it('while it leads, only the leader writes: a new generation gets its status from controller-a', async () => {
      const written = fake.answered(
        (call) => call.user === 'controller-a' && call.method === 'PATCH' && call.path.endsWith('/status'),
      );
      fake.apply(policy(1.2));
      await written;
      assert.equal((fake.get(POLICY)?.status as any).observedGeneration, 2);
      // The baseline the leader's own periodic save would have written by now (its 30 s write interval
      // makes waiting for one too slow here): the next leader must load this one, not the one it saw
      // when it started.
      fake.setStatus(POLICY, {
        ...(fake.get(POLICY)?.status ?? {}),
        controlLoops: { service1: { baseline: baseline(80) } },
      });
    });

    it('SIGKILL of the leader: the follower leads within 15 s, on the newest persisted baseline', async (t) => {
      const from = b.lines.length;
      killedAtMs = Date.now();
      await a.kill();
      // From here on only the new leader can send decisions.
      decisionsAtKill = await decisionsReceived();
      const led = await b.waitForLine(
        /controller-b follower -> leader \(acquired/,
        FAILOVER_BUDGET_MS + 5000,
        from,
      );
      bLedAtMs = led.atMs;
      const takeoverMs = bLedAtMs - killedAtMs;
      t.diagnostic(`takeover: controller-b led ${takeoverMs} ms after controller-a was killed`);
      assert.ok(takeoverMs <= FAILOVER_BUDGET_MS, `takeover took ${takeoverMs} ms`);
      const lease = fake.lease('sluice-controller');
      assert.deepEqual([lease?.spec.holderIdentity, lease?.spec.leaseTransitions], ['controller-b', 1]);
      const policies = await json(`http://127.0.0.1:${ports.bApi}/v1/policies`);
      assert.equal(policies.status, 200);
      assert.equal(policies.body.policies[0].controlLoops[0].baselineMs, 80, 'loaded when it began to lead');
      const ready = await json(`http://127.0.0.1:${ports.bHttp}/readyz`);
      assert.deepEqual([ready.status, ready.body.role], [200, 'leader']);
    });

    it('the agent, trying both replicas, reaches the new leader and receives its decisions within 15 s of the kill', async (t) => {
      const connected = await b.waitForLine(/agent .* connected/, FAILOVER_BUDGET_MS + 5000);
      const decided = await until(async () => {
        const text = await agentMetrics();
        const count = metric(text, 'sluice_agent_controller_messages_total{payload="decisions"}') ?? 0;
        return count > decisionsAtKill && metric(text, 'sluice_agent_controller_connected') === 1
          ? Date.now()
          : undefined;
      }, 'a decisions message from controller-b');
      const since = (text: string) =>
        agent.stampedLines.filter(
          (line) => line.atMs > killedAtMs && line.atMs < connected.atMs && line.text.includes(text),
        ).length;
      const refusals = since('"controller replica is not the leader; trying another"');
      const failures = since('"controller stream closed"');
      const backMs = connected.atMs - killedAtMs;
      const decidedMs = decided - killedAtMs;
      t.diagnostic(
        `agent back on controller-b ${backMs} ms after the kill (${connected.atMs - bLedAtMs} ms after it led; ${refusals} not-leader refusals, ${failures} failed attempts); decisions from it ${decidedMs} ms after the kill`,
      );
      assert.ok(
        decidedMs <= FAILOVER_BUDGET_MS,
        `decisions from the new leader came ${decidedMs} ms after the kill`,
      );
      assert.ok(refusals >= 1, 'the follower refused the agent until it led');
      const agents = await json(`http://127.0.0.1:${ports.bApi}/v1/agents`);
      assert.equal(agents.body.agents.length, 1);
    });

    it('Lease and status writes only ever came from the leader of the moment', async (t) => {
      const written = fake.answered(
        (call) => call.user === 'controller-b' && call.method === 'PATCH' && call.path.endsWith('/status'),
      );
      fake.apply(policy(1.3));
      await written;
      assert.equal((fake.get(POLICY)?.status as any).observedGeneration, 3);
      const aStatus = statusWrites('controller-a');
      const bStatus = statusWrites('controller-b');
      const aLease = leaseWrites('controller-a');
      const bLease = leaseWrites('controller-b');
      t.diagnostic(
        `controller-a: ${aLease.length} Lease writes, ${aStatus.length} status writes (all before the kill); controller-b: ${bLease.length} Lease writes, ${bStatus.length} status writes (all after it)`,
      );
      assert.ok(aStatus.length >= 2 && aStatus.every((call) => call.atMs < killedAtMs));
      assert.ok(aLease.length >= 1 && aLease.every((call) => call.atMs < killedAtMs));
      assert.ok(bStatus.length >= 1 && bStatus.every((call) => call.atMs > killedAtMs));
      assert.ok(bLease.length >= 1 && bLease.every((call) => call.atMs > killedAtMs));
      assert.ok(
        bLease.every((call) => call.method === 'PUT'),
        'it took over the existing Lease',
      );
    });

    it('SIGTERM of the leader (a rolling restart): it saves its baselines, releases the Lease, and a follower leads within one retry period', async (t) => {
      // controller-a's container restarts in its pod: same name, a follower now.
      a = controller('controller-a', ports.aGrpc, ports.aHttp, ports.aApi);
      await a.waitForLine(/leader election for Lease demo-system\/sluice-controller as controller-a/, 20_000);
      await fake.answered(
        (call) => call.user === 'controller-a' && call.method === 'GET' && call.path.includes('/leases'),
      );
      const from = a.lines.length;
      const stopAt = Date.now();
      const exit = b.stop();
      const led = await a.waitForLine(/controller-a follower -> leader \(acquired/, 10_000, from);
      assert.deepEqual(await exit, { code: 0, signal: null });
      const released = await b.waitForLine(/controller-b stepping-down -> stopped \(released/, 1000);
      const handoverMs = led.atMs - stopAt;
      const lastStatus = statusWrites('controller-b').at(-1);
      const lastLease = leaseWrites('controller-b').at(-1);
      // The agent lost its stream when controller-b stopped and finds the new leader among the replicas.
      // Not at once: while controller-a was dead its channel's attempts at that address backed off (gRPC's
      // subchannel backoff, capped at 5 s like the agent's own), and until that address answers again each
      // Connect fails and grows the agent's backoff (capped at 5 s). In a cluster the restarted pod has a
      // new address, which the agent learns from DNS (re-resolved at most every 5 s).
      const back = await a.waitForLine(/agent .* connected/, FAILOVER_BUDGET_MS, from);
      t.diagnostic(
        `handover on SIGTERM: controller-b released the Lease ${released.atMs - stopAt} ms after it was told to stop, controller-a led ${handoverMs} ms after, the agent was back on it ${back.atMs - stopAt} ms after`,
      );
      assert.ok(handoverMs <= 2000 + 1000, `handover took ${handoverMs} ms (retry period 2 s)`);
      assert.ok(
        lastStatus !== undefined && lastLease !== undefined && lastStatus.atMs < lastLease.atMs,
        'its last baseline write came before the release',
      );
      // The error-ratio baseline is saved beside it (this one has learnt nothing since the restore).
      assert.deepEqual((fake.get(POLICY)?.status as any).controlLoops.service1.baseline, {
        ...baseline(80),
        errors: { learnedTicks: 0, buckets: [] },
      });
      assert.equal(fake.lease('sluice-controller')?.spec.holderIdentity, 'controller-a');
    });
  },
);
