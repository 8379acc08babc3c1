import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import { SYNC_MAX_MESSAGE_BYTES, type AgentMessage, type ControllerMessage } from '@sluice/spec';
import { agentSyncClientConstructor, notLeaderStatus } from '@sluice/spec/protos';
import { ComponentRegistry } from '../src/components/component-registry.js';
import { ControlPointRegistry } from '../src/control-points/control-point-registry.js';
import { ControllerLink, controllerChannelOptions } from '../src/controller-link/controller-link.js';
import { parseComponents } from '../src/controller-link/controller-messages.js';
import { ReconnectBackoff, reconnectDelayMs } from '../src/controller-link/reconnect-backoff.js';
import { silentLogger } from '../src/logging/agent-logger.js';
import { AgentMetrics } from '../src/metrics/agent-metrics.js';
import { PreviewRegistry } from '../src/preview/preview-registry.js';
import { LocalBucketStore } from '../src/token-bucket/bucket-store-local.js';
import { loadSchedulerConfig, rateLimiterConfig } from './support/compiled-components.js';
import { ManualClock } from '@sluice/clock/manual';

type Stream = ServerDuplexStream<AgentMessage, ControllerMessage>;

/** A controller stand-in speaking the real sync.proto: it queues streams and their messages for the test. */
async function fakeController() {
  // The controller's receive limit: a message past it would end the stream.
  const server = new Server({ 'grpc.max_receive_message_length': SYNC_MAX_MESSAGE_BYTES });
  const streams: Stream[] = [];
  const inbox: AgentMessage[] = [];
  const waiters: Array<() => void> = [];
  server.addService(agentSyncClientConstructor().service, {
    Connect: (stream: Stream) => {
      streams.push(stream);
      stream.on('data', (message: AgentMessage) => {
        inbox.push(message);
        waiters.splice(0).forEach((wake) => wake());
      });
      stream.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  /** Resolves with the next message matching `payload` (already received ones count). */
  async function next(payload: string): Promise<AgentMessage> {
    for (;;) {
      const index = inbox.findIndex((message) => message.payload === payload);
      if (index >= 0) return inbox.splice(index, 1)[0] as AgentMessage;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }
  return { server, port, streams, next, close: () => server.forceShutdown() };
}

function component(json: object & { kind: string; componentId: string }) {
  return { component_id: json.componentId, kind: json.kind, json: JSON.stringify(json) };
}

test('hello, components, decisions, reports, preview, and reconnect with backoff over real gRPC', async () => {
  const controller = await fakeController();
  const clock = new ManualClock();
  const metrics = new AgentMetrics({ processMetrics: false });
  const registry = new ComponentRegistry({
    clock,
    agentGroup: 'default',
    localStore: new LocalBucketStore({ clock }),
  });
  const controlPoints = new ControlPointRegistry(clock);
  const previews = new PreviewRegistry(clock, ['authorization']);
  const link = new ControllerLink({
    address: `127.0.0.1:${controller.port}`,
    agentId: 'agent-1',
    agentGroup: 'default',
    capabilities: ['preview'],
    clock,
    random: () => 0.5,
    registry,
    controlPoints,
    previews,
    metrics,
    logger: silentLogger,
    reportIntervalMs: 1000,
    backoff: { initialMs: 400, maxMs: 10_000 },
    wallClockMs: () => 1_700_000_000_000,
  });
  try {
    link.start();
    const hello = await controller.next('hello');
    assert.deepEqual(hello.payload === 'hello' ? hello.hello : undefined, {
      agent_id: 'agent-1',
      hostname: 'agent-1',
      agent_group: 'default',
      version: '0.1.0',
      capabilities: ['preview'],
    });
    const stream = controller.streams[0] as Stream;
    const scheduler = loadSchedulerConfig();
    stream.write({
      payload: 'components',
      components: {
        policies: [
          {
            policy_name: 'policy',
            policy_hash: 'hash-1',
            components: [component(scheduler), component(rateLimiterConfig())],
          },
        ],
      },
    });
    stream.write({
      payload: 'decisions',
      decisions: {
        decisions: [
          {
            policy_name: 'policy',
            policy_hash: 'hash-1',
            component_id: 'scheduler',
            load_multiplier: 0.5,
            ttl_ms: 5000,
          },
        ],
      },
    });
    // A preview that the agent answers when its timeout passes on the agent clock.
    stream.write({
      payload: 'preview_request',
      preview_request: {
        request_id: 'p1',
        control_point: 'ingress',
        samples: 5,
        timeout_ms: 1500,
        kind: 'PREVIEW_KIND_FLOW_LABELS',
      },
    });
    while (previews.size === 0 || registry.allLoadSchedulers()[0]?.bucket.currentLoadMultiplier !== 0.5)
      await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(registry.policyNames, ['policy']);
    assert.equal(link.state, 'connected');
    previews.offer({
      controlPoint: 'ingress',
      services: [],
      labels: { 'http.method': 'GET', 'http.request.header.authorization': 'x' },
      http: { method: 'GET', path: '/', host: '', scheme: '', protocol: '', size: 0, headers: {}, body: '' },
    });
    controlPoints.record({ controlPoint: 'ingress', service: 's', type: 'http' });
    await registry.allLoadSchedulers()[0]?.decide({ labels: {}, deadlineMs: undefined, lagMs: 0 });
    clock.advance(1000);
    const first = await controller.next('report');
    assert.equal(first.payload === 'report' ? first.report.sequence : -1, 1);
    if (first.payload === 'report') {
      assert.equal(first.report.interval_ms, 1000);
      assert.equal(first.report.agent_time_ms, 1_700_000_000_000);
      assert.deepEqual(first.report.control_points, [
        { service: 's', control_point: 'ingress', type: 'CONTROL_POINT_TYPE_HTTP' },
      ]);
      assert.deepEqual(first.report.token_counters?.[0]?.workloads, [
        { workload: 'default', incoming_tokens: 1, accepted_tokens: 1, rejected_tokens: 0 },
      ]);
    }
    clock.advance(1000);
    const preview = await controller.next('preview_samples');
    assert.deepEqual(preview.payload === 'preview_samples' ? preview.preview_samples : undefined, {
      request_id: 'p1',
      flow_labels: [{ labels: { 'http.method': 'GET', 'http.request.header.authorization': '<redacted>' } }],
      done: true,
    });
    const second = await controller.next('report');
    assert.equal(second.payload === 'report' ? second.report.sequence : -1, 2);

    // The controller drops the stream: backoff (0.5 × 400 ms with this random source), then a new hello.
    stream.end();
    while ((link.state as string) !== 'backoff') await new Promise((resolve) => setImmediate(resolve));
    clock.advance(199);
    assert.equal(link.state, 'backoff');
    clock.advance(1);
    await controller.next('hello');
    assert.deepEqual(link.history.slice(0, 5), ['idle', 'connecting', 'connected', 'backoff', 'connecting']);
    assert.deepEqual(registry.policyNames, ['policy'], 'policies survive a reconnect');
  } finally {
    link.stop();
    controller.close();
  }
});

test('a component that does not parse rejects its policy and keeps the last good version', () => {
  const good = {
    policy_name: 'a',
    policy_hash: 'h',
    components: [component({ ...rateLimiterConfig({ policyName: 'a', policyHash: 'h' }) })],
  };
  const bad = {
    policy_name: 'b',
    policy_hash: 'h',
    components: [
      {
        component_id: 'limiter',
        kind: 'rate-limiter',
        json: JSON.stringify({
          ...rateLimiterConfig({ policyName: 'b', policyHash: 'h' }),
          bucketCapacity: 'lots',
        }),
      },
    ],
  };
  const broken = {
    policy_name: 'c',
    policy_hash: 'h',
    components: [{ component_id: 'x', kind: 'rate-limiter', json: '{' }],
  };
  const parsed = parseComponents({ policies: [good, bad, broken] });
  assert.deepEqual(
    parsed.policies.map((p) => p.policyName),
    ['a'],
  );
  assert.deepEqual(parsed.rejected, [
    {
      policyName: 'b',
      error: 'policy b component limiter: bucketCapacity: "lots" is not allowed; expected number',
    },
    { policyName: 'c', error: 'policy c component x: json is not valid JSON' },
  ]);
  const clock = new ManualClock();
  const registry = new ComponentRegistry({
    clock,
    agentGroup: 'default',
    localStore: new LocalBucketStore({ clock }),
  });
  registry.replaceAll([
    {
      policyName: 'b',
      policyHash: 'old',
      components: [rateLimiterConfig({ policyName: 'b', policyHash: 'old' })],
    },
  ]);
  registry.replaceAll(parsed.policies, ['b']);
  assert.deepEqual(registry.policyNames, ['a', 'b']);
});

test('backoff is full jitter, doubling up to the cap (5 s by default)', () => {
  assert.equal(
    reconnectDelayMs(0, () => 0.999, { initialMs: 500, maxMs: 30_000 }),
    499,
  );
  assert.equal(
    reconnectDelayMs(3, () => 0.5, { initialMs: 500, maxMs: 30_000 }),
    2000,
  );
  assert.equal(
    reconnectDelayMs(20, () => 0.5, { initialMs: 500, maxMs: 30_000 }),
    15_000,
  );
  assert.equal(
    reconnectDelayMs(2, () => 0),
    0,
  );
  // Defaults: 500 ms doubling, capped at 5 s, so a restarted controller is dialled again within seconds.
  assert.deepEqual(
    [0, 1, 2, 3, 4, 20].map((attempt) => reconnectDelayMs(attempt, () => 0.999_999)),
    [499, 999, 1999, 3999, 4999, 4999],
  );
});

test('not-leader refusals retry after 200 ms ± 50 % without growing the backoff, 75 in a row, then back off', () => {
  const draws = [0, 0.999_999, 0.5];
  let draw = 0;
  const backoff = new ReconnectBackoff(() => draws[draw++ % draws.length] as number);
  const failure = backoff.next('failure');
  assert.deepEqual(failure, { kind: 'backoff', delayMs: 0, attempt: 0 });
  const refusals = Array.from({ length: 75 }, () => backoff.next('not-leader'));
  assert.deepEqual(
    refusals.slice(0, 3).map((next) => next.delayMs),
    [299, 200, 100],
    'the jitter spans 100–300 ms',
  );
  assert.ok(
    refusals.every((next) => next.kind === 'not-leader' && next.delayMs >= 100 && next.delayMs < 300),
  );
  assert.deepEqual(refusals.at(-1), { kind: 'not-leader', delayMs: 100, refusals: 75 });
  // The 76th refusal in a row backs off, at the attempt the last failure left: refusals did not grow it.
  assert.deepEqual(backoff.next('not-leader'), { kind: 'backoff', delayMs: 999, attempt: 1 });
  assert.deepEqual(backoff.next('not-leader'), { kind: 'backoff', delayMs: 1000, attempt: 2 });
  // A failure ends the run of refusals; the next refusal is retried soon again.
  assert.equal(backoff.next('failure').kind, 'backoff');
  assert.equal(backoff.next('not-leader').kind, 'not-leader');
  // An accepted stream resets both counts.
  backoff.reset();
  const after = backoff.next('failure');
  assert.deepEqual([after.kind, after.kind === 'backoff' ? after.attempt : -1], ['backoff', 0]);
});

test('a report past the AgentSync limit goes as several messages, numbered in order, and the stream stays up', async () => {
  const controller = await fakeController();
  const clock = new ManualClock();
  const metrics = new AgentMetrics({ processMetrics: false });
  const registry = new ComponentRegistry({
    clock,
    agentGroup: 'default',
    localStore: new LocalBucketStore({ clock }),
  });
  // 20,000 entries of about 400 bytes: about 7.6 MiB, twice the limit (the agent's own registry holds 1,000).
  const controlPoints = new ControlPointRegistry(clock, { maxEntries: 20_000 });
  const link = new ControllerLink({
    address: `127.0.0.1:${controller.port}`,
    agentId: 'agent-big',
    agentGroup: 'default',
    capabilities: [],
    clock,
    random: () => 0.5,
    registry,
    controlPoints,
    previews: new PreviewRegistry(clock, []),
    metrics,
    logger: silentLogger,
  });
  try {
    link.start();
    await controller.next('hello');
    while (link.state !== 'connected') {
      (controller.streams[0] as Stream).write({ payload: 'decisions', decisions: { decisions: [] } });
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (let i = 0; i < 20_000; i++)
      controlPoints.record({
        controlPoint: `cp-${i}`.padEnd(128, 'x'),
        service: `s-${i}`.padEnd(253, 'y'),
        type: 'http',
      });
    clock.advance(1000);
    const received: number[] = [];
    let entries = 0;
    while (entries < 20_000) {
      const message = await controller.next('report');
      assert.ok(message.payload === 'report');
      received.push(Number(message.report.sequence));
      entries += message.report.control_points?.length ?? 0;
    }
    assert.equal(entries, 20_000);
    assert.ok(received.length >= 2, `split into ${received.length} messages`);
    assert.deepEqual(
      received,
      received.map((_, index) => index + 1),
    );
    assert.match(await metrics.registry.metrics(), /sluice_agent_reports_split_total 1/);
    // The stream is still the first one, and the next report follows in sequence.
    clock.advance(1000);
    const next = await controller.next('report');
    assert.equal(next.payload === 'report' ? Number(next.report.sequence) : -1, received.length + 1);
    assert.equal(controller.streams.length, 1);
    assert.equal(link.state, 'connected');
  } finally {
    link.stop();
    controller.close();
  }
});

test('1,000 preview requests: 8 run, the other 992 are answered at once with an error, counted; the stream stays up', async () => {
  const controller = await fakeController();
  const clock = new ManualClock();
  const metrics = new AgentMetrics({ processMetrics: false });
  const previews = new PreviewRegistry(clock, [], {
    maxConcurrent: 8,
    onRefused: (reason) => metrics.previewsRefused.inc({ reason }),
  });
  const link = new ControllerLink({
    address: `127.0.0.1:${controller.port}`,
    agentId: 'agent-previews',
    agentGroup: 'default',
    capabilities: ['preview'],
    clock,
    random: () => 0.5,
    registry: new ComponentRegistry({
      clock,
      agentGroup: 'default',
      localStore: new LocalBucketStore({ clock }),
    }),
    controlPoints: new ControlPointRegistry(clock),
    previews,
    metrics,
    logger: silentLogger,
  });
  try {
    link.start();
    await controller.next('hello');
    const stream = controller.streams[0] as Stream;
    for (let i = 0; i < 1000; i++)
      stream.write({
        payload: 'preview_request',
        preview_request: { request_id: `p${i}`, control_point: 'ingress', samples: 1000, timeout_ms: 60_000 },
      });
    const errors: string[] = [];
    while (errors.length < 992) {
      const answer = await controller.next('preview_samples');
      if (answer.payload === 'preview_samples') errors.push(answer.preview_samples.error ?? '');
    }
    assert.equal(previews.size, 8);
    assert.deepEqual(
      new Set(errors),
      new Set([
        'too many previews on this agent: 8 running, at most 8 (previewMaxConcurrent); retry when one ends',
      ]),
    );
    assert.match(
      await metrics.registry.metrics(),
      /sluice_agent_previews_refused_total\{reason="concurrency"\} 992/,
    );
    assert.equal(link.state, 'connected');
    assert.equal(controller.streams.length, 1);
  } finally {
    link.stop();
    controller.close();
  }
});

test('the AgentSync channel balances round robin over the target, with gRPC backoff capped like the link', () => {
  const options = controllerChannelOptions(5000);
  assert.equal(options['grpc.max_send_message_length'], SYNC_MAX_MESSAGE_BYTES);
  assert.deepEqual(JSON.parse(options['grpc.service_config'] as string), {
    loadBalancingConfig: [{ round_robin: {} }],
  });
  assert.equal(options['grpc.max_reconnect_backoff_ms'], 5000);
  assert.equal(options['grpc.service_config_disable_resolution'], 1);
});

/** A controller replica stand-in: leads (accepts the hello and sends components) or refuses as not-leader. */
async function replica(name: string) {
  const server = new Server();
  const state = { leading: false, connects: 0, accepted: 0 };
  server.addService(agentSyncClientConstructor().service, {
    Connect: (stream: Stream) => {
      state.connects += 1;
      stream.on('data', (message: AgentMessage) => {
        if (message.payload !== 'hello') return;
        if (!state.leading) {
          stream.emit('error', notLeaderStatus('controller-b'));
          return;
        }
        state.accepted += 1;
        stream.write({ payload: 'components', components: { policies: [] } });
      });
      stream.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { name, port, state, close: () => server.forceShutdown() };
}

test('with every replica in the target, refusals are retried soon on the next replica until one leads', async () => {
  const a = await replica('controller-a');
  const b = await replica('controller-b');
  const clock = new ManualClock();
  const logs: { level: string; message: string; fields: Record<string, unknown> | undefined }[] = [];
  const link = new ControllerLink({
    // What the headless Service's dns:/// target resolves to in a cluster: every Ready replica.
    address: `ipv4:127.0.0.1:${a.port},127.0.0.1:${b.port}`,
    agentId: 'agent-1',
    agentGroup: 'default',
    capabilities: [],
    clock,
    random: () => 0.5,
    registry: new ComponentRegistry({
      clock,
      agentGroup: 'default',
      localStore: new LocalBucketStore({ clock }),
    }),
    controlPoints: new ControlPointRegistry(clock),
    previews: new PreviewRegistry(clock, []),
    metrics: new AgentMetrics({ processMetrics: false }),
    logger: { log: (level, message, fields) => logs.push({ level, message, fields }) },
  });
  const settle = async (states: readonly string[]) => {
    while (!states.includes(link.state)) await new Promise((resolve) => setImmediate(resolve));
  };
  try {
    link.start();
    // No replica leads yet (a takeover in progress): each Connect is refused, and round robin spreads
    // the retries over both replicas.
    let refusals = 0;
    while (a.state.connects === 0 || b.state.connects === 0 || refusals < 4) {
      await settle(['refused']);
      refusals += 1;
      assert.ok(refusals <= 20, 'both replicas were tried');
      clock.advance(199);
      assert.equal(link.state, 'refused', 'retried after 200 ms (0.5 → no jitter here), not before');
      clock.advance(1);
      await settle(['connecting']);
    }
    b.state.leading = true;
    while (link.state !== 'connected') {
      await settle(['refused', 'connected']);
      if (link.state === 'refused') clock.advance(200);
      await settle(['connecting', 'connected']);
    }
    assert.equal(b.state.accepted, 1);
    assert.equal(a.state.accepted, 0);
    assert.ok(!link.history.includes('backoff'), 'refusals never grew the backoff');
    assert.deepEqual(link.history.slice(0, 4), ['idle', 'connecting', 'refused', 'connecting']);
    const refused = logs.filter(
      (line) => line.message === 'controller replica is not the leader; trying another',
    );
    assert.deepEqual(refused[0], {
      level: 'info',
      message: 'controller replica is not the leader; trying another',
      fields: { leader: 'controller-b', refusals: 1, reconnectInMs: 200 },
    });
    assert.ok(
      refused.slice(1).every((line) => line.level === 'debug'),
      'one info line per run of refusals',
    );
  } finally {
    link.stop();
    a.close();
    b.close();
  }
});
