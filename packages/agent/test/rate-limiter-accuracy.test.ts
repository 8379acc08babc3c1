import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import type { AgentMessage, ControllerMessage } from '@sluice/spec';
import { agentSyncClientConstructor } from '@sluice/spec/protos';
import { freePort, redisUrl } from '@sluice/testkit';
import { DECISION_METADATA_KEY, decodeDecisionRecord } from '../src/check/decision-record.js';
import { startAgent } from './support/agent-harness.js';
import { AgentProcess } from './support/agent-process.js';
import { checkClients, offerLoad } from './support/check-load.js';
import { rateLimiterConfig } from './support/compiled-components.js';

test('local backend over real gRPC: accepted = capacity + fill × elapsed within 2% (one agent)', async () => {
  const h = await startAgent();
  const clients = checkClients([`127.0.0.1:${h.ports.grpcPort}`]);
  try {
    const capacity = 50;
    const fillPerSecond = 40;
    h.agent.registry.replaceAll([
      {
        policyName: 'accuracy',
        policyHash: 'h',
        components: [
          rateLimiterConfig({
            policyName: 'accuracy',
            policyHash: 'h',
            bucketCapacity: capacity,
            fillAmount: fillPerSecond,
            intervalMs: 1000,
          }),
        ],
      },
    ]);
    const result = await offerLoad({ check: (i) => clients.check(i, {}), rps: 150, durationMs: 3000 });
    const expected = capacity + (fillPerSecond * result.elapsedMs) / 1000;
    const error = Math.abs(result.accepted - expected) / expected;
    assert.ok(
      error <= 0.02,
      `accepted ${result.accepted} of ${result.sent}, expected ${expected.toFixed(1)} (error ${(error * 100).toFixed(2)}%)`,
    );
  } finally {
    clients.close();
    await h.close();
  }
});

test('redis backend: three agent processes share one bucket within 5%', async () => {
  // A controller stand-in that gives every agent the same Redis-backed limiter.
  const policyName = `accuracy-${randomUUID()}`;
  const capacity = 30;
  const fillPerSecond = 25;
  const limiter = rateLimiterConfig({
    policyName,
    policyHash: 'h',
    backend: 'redis',
    bucketCapacity: capacity,
    fillAmount: fillPerSecond,
    intervalMs: 1000,
    limitByLabelKey: 'http.request.header.user',
  });
  const server = new Server();
  server.addService(agentSyncClientConstructor().service, {
    Connect: (stream: ServerDuplexStream<AgentMessage, ControllerMessage>) => {
      stream.on('error', () => undefined);
      stream.once('data', () =>
        stream.write({
          payload: 'components',
          components: {
            policies: [
              {
                policy_name: policyName,
                policy_hash: 'h',
                components: [
                  { component_id: limiter.componentId, kind: limiter.kind, json: JSON.stringify(limiter) },
                ],
              },
            ],
          },
        }),
      );
    },
  });
  const controllerPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const agents = await Promise.all(
    [0, 1, 2].map(async () =>
      AgentProcess.start(
        [
          '--grpc-port',
          String(await freePort()),
          '--http-port',
          String(await freePort()),
          '--controller',
          `127.0.0.1:${controllerPort}`,
          '--redis-url',
          redisUrl(),
          '--log-level',
          'error',
        ],
        {
          // Generous: this machine may be heavily shared; the fault tests cover the short timeout.
          SLUICE_AGENT_REDIS_CALL_TIMEOUT_MS: '1000',
        },
      ),
    ),
  );
  const clients = checkClients(agents.map((agent) => `127.0.0.1:${agent.grpcPort}`));
  try {
    // Wait until each agent runs the limiter, probing with a label value the measurement does not use.
    for (let index = 0; index < agents.length; index++) {
      for (;;) {
        const response = await clients.check(index, { user: `probe-${index}` });
        const record = decodeDecisionRecord(
          response.dynamic_metadata.fields[DECISION_METADATA_KEY]?.stringValue ?? '',
        );
        if (record.components.some((component) => component.policyName === policyName)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const result = await offerLoad({
      check: (i) => clients.check(i, { user: 'load' }),
      rps: 150,
      durationMs: 3000,
    });
    const expected = capacity + (fillPerSecond * result.elapsedMs) / 1000;
    const error = Math.abs(result.accepted - expected) / expected;
    assert.ok(
      error <= 0.05,
      `accepted ${result.accepted} of ${result.sent}, expected ${expected.toFixed(1)} (error ${(error * 100).toFixed(2)}%)`,
    );
    const metrics = await (await fetch(`http://127.0.0.1:${agents[0]?.httpPort}/metrics`)).text();
    assert.match(
      metrics,
      new RegExp(
        `sluice_agent_rate_limiter_decision_source_total\\{policy_name="${policyName}",component_id="limiter",source="redis"\\} [1-9]`,
      ),
    );
  } finally {
    clients.close();
    for (const agent of agents) assert.equal(await agent.stop(), 0, agent.output());
    server.forceShutdown();
  }
});
