/**
 * AgentSync authentication over real gRPC on loopback: the test agents speak the real sync.proto and
 * send `authorization: Bearer <token>` as the agent does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import type { ControllerMessage } from '@sluice/spec';
import { PolicyRegistry } from '../src/policies/policy-registry.js';
import type { AgentAuthenticator } from '../src/sync/agent-auth.js';
import { TokenAgentAuth } from '../src/sync/agent-auth-token.js';
import { AgentDirectory } from '../src/sync/agent-directory.js';
import { AgentSyncServer } from '../src/sync/agent-sync-server.js';
import { PreviewBusyError, PreviewTooLargeError } from '../src/sync/preview-request.js';
import { Controller } from '../src/controller.js';
import { TestAgent } from './support/agent-client.js';
import { basicServiceProtection } from './support/fixture-policy.js';
import { ManualClock } from '@sluice/clock/manual';

const TOKEN = 'agent-sync-shared-token-0123';
const isComponents = (message: ControllerMessage) => message.payload === 'components';
const hello = (agentId: string, capabilities: string[] = []) => ({
  agent_id: agentId,
  hostname: agentId,
  agent_group: 'default',
  version: '0',
  capabilities,
});
const report = {
  agent_time_ms: 0,
  interval_ms: 1000,
  control_points: [{ service: 's', control_point: 'ingress', type: 'CONTROL_POINT_TYPE_HTTP' as const }],
};

function syncServer(
  authenticator: AgentAuthenticator,
  extra: Partial<ConstructorParameters<typeof AgentSyncServer>[0]> = {},
) {
  const registry = new PolicyRegistry();
  registry.apply('policy.yaml', basicServiceProtection());
  const agents = new AgentDirectory();
  const reports: string[] = [];
  const refusals: string[] = [];
  const server = new AgentSyncServer({
    agents,
    policies: () => registry.running(),
    decisions: () => [],
    onReport: (_report, agentId) => reports.push(agentId),
    onRefusal: (reason) => refusals.push(reason),
    clock: new ManualClock(),
    log: () => undefined,
    authenticator,
    ...extra,
  });
  return { server, agents, reports, refusals };
}

describe('AgentSync with agentAuth token', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-sync-token-')), 'token');
  writeFileSync(file, TOKEN);
  const { server, agents, reports, refusals } = syncServer(
    new TokenAgentAuth({ readToken: () => readFile(file, 'utf8') }),
  );
  let port: number;
  const open: TestAgent[] = [];
  const agent = (token?: string) => {
    const created = new TestAgent(port, token === undefined ? {} : { token });
    open.push(created);
    return created;
  };
  before(async () => {
    port = await server.start({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    for (const created of open) created.close();
    await server.stop();
  });

  it('a stream without the credential, or with a wrong one, ends UNAUTHENTICATED having received nothing and recorded nothing', async () => {
    for (const token of [undefined, 'wrong-token', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const rogue = agent(token);
      // What a fake agent would try at once: announce itself, report, and answer a preview.
      rogue.hello(hello('agent-real', ['preview']));
      rogue.report(report);
      const error = await rogue.closed;
      assert.equal(error?.code, status.UNAUTHENTICATED, String(token));
      assert.match(error?.details ?? '', /^AgentSync refused: /);
      assert.equal(rogue.received.length, 0, 'no policy bytes');
    }
    assert.deepEqual([agents.agents().length, reports.length, agents.size], [0, 0, 0]);
    assert.deepEqual(refusals, ['unauthenticated', 'unauthenticated', 'unauthenticated', 'unauthenticated']);
  });

  it('the right token gets components, and reports are recorded', async () => {
    const real = agent(TOKEN);
    real.hello(hello('agent-real'));
    const components = await real.next(isComponents);
    assert.ok(components.payload === 'components');
    assert.equal(components.components.policies?.length, 1);
    real.report(report);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (reports.length === 1) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    assert.deepEqual(reports, ['agent-real']);
  });

  it('an unauthenticated stream cannot evict a connected agent by reusing its id', async () => {
    const rogue = agent();
    rogue.hello(hello('agent-real'));
    assert.equal((await rogue.closed)?.code, status.UNAUTHENTICATED);
    assert.deepEqual(server.connectedAgentIds, ['agent-real']);
  });
});

describe('AgentSync principals: one may not take over another’s agent id', () => {
  // Principals as TokenReview would name pods; the token is the pod name here.
  const byPod: AgentAuthenticator = {
    mode: 'kubernetes',
    authenticate: async (token) =>
      token === undefined
        ? { ok: false, refusal: 'unauthenticated', reason: 'none' }
        : { ok: true, principal: `sluice-system/${token}` },
  };
  const { server, refusals } = syncServer(byPod);
  let port: number;
  before(async () => {
    port = await server.start({ port: 0, host: '127.0.0.1' });
  });
  after(() => server.stop());

  it('another principal with the same agent_id is refused ALREADY_EXISTS and the session stays; the same principal replaces it', async () => {
    const real = new TestAgent(port, { token: 'pod-a' });
    real.hello(hello('node-1'));
    await real.next(isComponents);
    const intruder = new TestAgent(port, { token: 'pod-b' });
    intruder.hello(hello('node-1', ['preview']));
    const error = await intruder.closed;
    assert.equal(error?.code, status.ALREADY_EXISTS);
    assert.match(error?.details ?? '', /agent id node-1 is connected as another principal/);
    assert.equal(intruder.received.filter(isComponents).length, 0);
    assert.deepEqual(server.connectedAgentIds, ['node-1']);
    assert.deepEqual(refusals, ['principal-mismatch']);
    // A policy push still reaches the real agent: its stream is alive.
    const pushed = real.upcoming(isComponents);
    server.pushComponents();
    await pushed;
    // The same pod reconnecting (a new stream after a network blip) replaces its own session.
    const again = new TestAgent(port, { token: 'pod-a' });
    again.hello(hello('node-1'));
    await again.next(isComponents);
    await real.closed;
    real.close();
    again.close();
    intruder.close();
  });
});

describe('AgentSync preview limits', () => {
  const { server } = syncServer(
    { mode: 'none', authenticate: async () => ({ ok: true, principal: 'anonymous' }) },
    {
      previewLimits: { maxConcurrent: 2, maxSampleBytes: 100 },
      previewGraceMs: 0,
    },
  );
  let port: number;
  before(async () => {
    port = await server.start({ port: 0, host: '127.0.0.1' });
  });
  after(() => server.stop());

  it('refuses a third concurrent preview, and ends one whose samples pass the byte limit', async () => {
    const agent = new TestAgent(port);
    agent.hello(hello('previewer', ['preview']));
    await agent.next(isComponents);
    const query = { controlPoint: 'ingress', samples: 10, timeoutMs: 5000, kind: 'flow-labels' as const };
    const first = server.preview(query);
    const second = server.preview(query);
    await assert.rejects(
      server.preview(query),
      (error: unknown) => error instanceof PreviewBusyError && error.maxConcurrent === 2,
    );
    const request = await agent.next((message) => message.payload === 'preview_request');
    assert.ok(request.payload === 'preview_request');
    const cancelled = agent.upcoming((message) => message.payload === 'preview_cancel');
    agent.stream.write({
      payload: 'preview_samples',
      preview_samples: {
        request_id: request.preview_request.request_id,
        flow_labels: [{ labels: { big: 'x'.repeat(200) } }],
        done: false,
      },
    });
    await assert.rejects(
      first,
      (error: unknown) => error instanceof PreviewTooLargeError && error.maxSampleBytes === 100,
    );
    const cancel = await cancelled;
    assert.ok(cancel.payload === 'preview_cancel');
    assert.equal(cancel.preview_cancel.request_id, request.preview_request.request_id);
    // The slot is free again.
    const third = server.preview({ ...query, timeoutMs: 10 });
    assert.equal((await third).flowLabels.length, 0);
    agent.close();
    await second;
  });
});

describe('Controller directory sweep', () => {
  it('expires control points on its timer, with no API read, and exports how many remain', async () => {
    const clock = new ManualClock();
    const controller = new Controller({ clock, log: () => undefined });
    const ports = await controller.start({ grpcPort: 0, httpPort: 0, apiPort: 0, host: '127.0.0.1' });
    const agent = new TestAgent(ports.grpcPort);
    try {
      agent.hello(hello('a'));
      await agent.next(isComponents);
      const reported = new Promise((resolve) => controller.events.once('report', resolve));
      agent.report({
        ...report,
        control_points: Array.from({ length: 3000 }, (_, index) => ({
          service: 's',
          control_point: `cp-${index}`,
        })),
      });
      await reported;
      assert.equal(controller.agents.size, 1000, 'capped at 1000 per agent');
      const metrics = async () => (await fetch(`http://127.0.0.1:${ports.httpPort}/metrics`)).text();
      assert.match(
        await metrics(),
        /^sluice_controller_control_points_dropped_total\{reason="agent-cap"\} 2000$/m,
      );
      clock.advance(60_000);
      assert.equal(controller.agents.size, 1000);
      clock.advance(5_000);
      assert.equal(controller.agents.size, 0);
      assert.match(await metrics(), /^sluice_controller_control_points 0$/m);
    } finally {
      agent.close();
      await controller.stop();
    }
  });
});
