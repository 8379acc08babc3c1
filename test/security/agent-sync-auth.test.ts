/**
 * Attack: a fake agent on AgentSync (issue 15, attack 5): it received every compiled policy, could evict
 * a real agent by reusing its id, and could send fake reports. A real controller (agentAuth kubernetes)
 * and a real agent that presents a projected service-account token; the Kubernetes API is the fake of
 * packages/controller/test/support/fake-kube-api-server.ts (no real API server can run here), which
 * issues and reviews tokens as TokenReview (authentication.k8s.io/v1) does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { FakeKubeApiServer, freePort, RunningProcess, waitFor } from '@sluice/testkit';
import { averageLatencyPolicy, bin } from '@sluice/e2e-kit';
import { metricSum } from '../reliability/support/metrics.js';
import { ControllerProcess, writeSecretFile } from './support/controller-process.js';
import { FakeAgent } from './support/fake-agent.js';

const NS = 'sluice-system';
const TOKEN = 'agent-sync-api-token-0123456789';

interface AgentRow {
  readonly agentId: string;
  readonly connectedAtMs: number;
  readonly reports: number;
}

describe('AgentSync against fake agents', { timeout: 90_000 }, () => {
  const kube = new FakeKubeApiServer(NS);
  let controller: ControllerProcess;
  let agent: RunningProcess;
  let real: AgentRow;
  const fakes: FakeAgent[] = [];
  const issue = (options: { serviceAccount?: string; podName: string; audiences?: string[] }) =>
    kube.tokenReviews.issue({
      namespace: NS,
      serviceAccount: options.serviceAccount ?? 'sluice-agent',
      podName: options.podName,
      audiences: options.audiences ?? ['sluice-controller'],
      expiresAtMs: Date.now() + 3_600_000,
    });
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`http://127.0.0.1:${controller.ports.api}${path}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return (await response.json()) as T;
  };
  const agents = async () => (await api<{ agents: AgentRow[] }>('/v1/agents')).agents;
  const controlPoints = async () =>
    (await api<{ controlPoints: { controlPoint: string }[] }>('/v1/control-points')).controlPoints.map(
      (row) => row.controlPoint,
    );
  const fake = (port: number, token?: string) => {
    const created = new FakeAgent(port, token);
    fakes.push(created);
    return created;
  };
  const forgedReport = (controlPoint: string) => ({
    agent_time_ms: Date.now(),
    interval_ms: 1000,
    control_points: [
      { service: 'any', control_point: controlPoint, type: 'CONTROL_POINT_TYPE_HTTP' as const },
    ],
  });

  before(async () => {
    await kube.start();
    controller = await ControllerProcess.start({
      policies: { protect: averageLatencyPolicy('protect') },
      args: [
        '--agent-auth',
        'kubernetes',
        '--agent-service-account',
        `${NS}/sluice-agent`,
        '--bind-address',
        '127.0.0.1',
      ],
      env: {
        SLUICE_CONTROLLER_API_TOKEN: TOKEN,
        KUBECONFIG: writeSecretFile(kubeconfigDir(), 'kubeconfig', kube.kubeConfig().exportConfig()),
      },
    });
    const tokenFile = writeSecretFile(
      controller.dir,
      'agent-token',
      issue({ podName: 'sluice-agent-node1' }),
    );
    const [grpc, http] = [await freePort(), await freePort()];
    agent = await RunningProcess.start({
      name: 'agent',
      args: [
        bin('agent'),
        '--grpc-port',
        String(grpc),
        '--http-port',
        String(http),
        '--controller',
        `127.0.0.1:${controller.ports.grpc}`,
        '--controller-token-file',
        tokenFile,
        '--report-interval-ms',
        '250',
      ],
      readyLine: /"listening"/,
    });
    real = await waitFor(async () => (await agents())[0], {
      timeoutMs: 20_000,
      what: 'the real agent connected',
    });
  });

  after(async () => {
    for (const created of fakes) created.close();
    await agent?.stop();
    await controller?.stop();
    await kube.stop();
  });

  it('without a valid credential a fake agent gets no policy bytes, records no report, and cannot evict the real agent', async () => {
    const credentials = [
      undefined,
      'not-a-token',
      issue({ podName: 'x', audiences: ['https://kubernetes.default.svc.cluster.local'] }),
      issue({ podName: 'x', serviceAccount: 'default' }),
    ];
    for (const credential of credentials) {
      const rogue = fake(controller.ports.grpc, credential);
      rogue.hello(real.agentId);
      await rogue.report(forgedReport('forged-unauthenticated')).catch(() => undefined);
      const error = await rogue.closed;
      assert.equal(error?.code, status.UNAUTHENTICATED, String(credential).slice(0, 20));
      assert.equal(rogue.receivedBytes, 0, 'no policy bytes');
    }
    const [still] = await agents();
    assert.deepEqual(
      [still?.agentId, still?.connectedAtMs],
      [real.agentId, real.connectedAtMs],
      'the real session stands',
    );
    assert.ok(!(await controlPoints()).includes('forged-unauthenticated'));
    assert.equal(
      metricSum(
        await controller.metrics(),
        'sluice_controller_agent_sync_refusals_total',
        'reason="unauthenticated"',
      ),
      credentials.length,
    );
  });

  it('another pod of the agents’ service account cannot take the real agent’s id either', async () => {
    const other = fake(controller.ports.grpc, issue({ podName: 'sluice-agent-node2' }));
    other.hello(real.agentId);
    const error = await other.closed;
    assert.equal(error?.code, status.ALREADY_EXISTS);
    assert.equal(other.receivedBytes, 0);
    const rows = await agents();
    assert.deepEqual(
      rows.map((row) => [row.agentId, row.connectedAtMs]),
      [[real.agentId, real.connectedAtMs]],
    );
    // The real agent keeps reporting on its stream.
    const before = rows[0]?.reports ?? 0;
    await waitFor(async () => ((await agents())[0]?.reports ?? 0) > before + 2 || undefined, {
      timeoutMs: 10_000,
      what: 'the real agent still reporting',
    });
  });

  it('the same credential under its own id is served and reports land: the refusals above are the authentication', async () => {
    const own = fake(controller.ports.grpc, issue({ podName: 'sluice-agent-node2' }));
    own.hello('sluice-agent-node2');
    await own.next((message) => message.payload === 'components');
    assert.ok(own.receivedBytes > 100, `${own.receivedBytes} policy bytes`);
    await own.report(forgedReport('reported-authenticated'));
    await waitFor(async () => (await controlPoints()).includes('reported-authenticated') || undefined, {
      timeoutMs: 10_000,
      what: 'the authenticated report recorded',
    });
  });
});

let kubeconfigDirectory: string | undefined;
/** A directory for the kubeconfig, made once. */
function kubeconfigDir(): string {
  kubeconfigDirectory ??= mkdtempSync(join(tmpdir(), 'sluice-security-kube-'));
  return kubeconfigDirectory;
}
