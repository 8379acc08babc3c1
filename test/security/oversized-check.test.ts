// Attack 3 of issue 15: one big Check breaks the agent–controller link. Before: a 5 MiB control
// point fit the agent's 16 MiB receive limit but not the controller's 4 MiB; the next report was
// refused, the stream ended, and that node's reports stopped while the client kept sending.
//
// Real controller, agent, proxy and upstream on loopback (the e2e topology). The attacker speaks
// gRPC to the agent's port directly, as any pod can.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { authorizationService } from '@sluice/spec/protos';
import { metricValue, Topology } from '@sluice/e2e-kit';
import { waitFor } from '@sluice/testkit';
import { AgentGrpcClient } from '../reliability/support/agent-grpc.js';

const MiB = 1024 * 1024;

interface AgentView {
  readonly agentId: string;
  readonly connectedAtMs: number;
  readonly reports: number;
  readonly missedReports: number;
}

let topology: Topology;
let attacker: AgentGrpcClient;

function check(http: { path?: string; headers?: Record<string, string> }, controlPoint?: string): Buffer {
  return authorizationService().service['Check']?.requestSerialize({
    attributes: {
      request: {
        http: {
          method: 'GET',
          path: http.path ?? '/',
          host: 'shop',
          headers: { ':method': 'GET', ...http.headers },
        },
      },
      ...(controlPoint === undefined ? {} : { context_extensions: { 'control-point': controlPoint } }),
    },
  }) as Buffer;
}

async function answerCode(request: Buffer): Promise<number> {
  try {
    await attacker.check(request, 10_000);
    return status.OK;
  } catch (error) {
    return (error as ServiceError).code;
  }
}

async function theAgent(): Promise<AgentView> {
  const { agents } = await topology.api<{ agents: AgentView[] }>('/v1/agents');
  assert.equal(agents.length, 1);
  return agents[0] as AgentView;
}

before(async () => {
  topology = await Topology.start({ policies: {}, upstream: { concurrency: 4, latencyMs: 5 } });
  attacker = new AgentGrpcClient(`127.0.0.1:${topology.ports.agentGrpc}`, undefined);
});

after(async () => {
  attacker?.close();
  await topology?.stop();
});

test('5 MiB control points and headers are refused by the receive limit; the AgentSync stream stays up and reports keep arriving', async () => {
  await waitFor(async () => (await theAgent()).reports > 0, { timeoutMs: 10_000, what: 'a first report' });
  const before = await theAgent();
  const bigControlPoint = check({}, 'cp-'.padEnd(5 * MiB, 'x'));
  const bigHeader = check({ headers: { 'x-pad': 'p'.repeat(5 * MiB) } }, 'ingress');
  const codes: number[] = [];
  // The attacker keeps sending while the agent's next reports are awaited.
  await waitFor(
    async () => {
      codes.push(await answerCode(bigControlPoint), await answerCode(bigHeader));
      const now = await theAgent();
      return codes.length >= 20 && now.reports >= before.reports + 8 ? now : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 50, what: '8 more reports while 5 MiB Checks arrive' },
  );
  const afterAttack = await theAgent();
  // Just under the limit and an invalid name: refused by the control-point rule, not by gRPC.
  const underLimit = await answerCode(check({}, 'cp-'.padEnd(100 * 1024, 'y')));
  const ordinary = await answerCode(check({ path: '/ok' }, 'ingress'));
  const metrics = await topology.agentMetrics();
  console.log(
    `oversized Checks: ${codes.length} sent, codes ${JSON.stringify([...new Set(codes)])}; reports ${before.reports} → ${afterAttack.reports}, missed ${afterAttack.missedReports}`,
  );
  assert.deepEqual(new Set(codes), new Set([status.RESOURCE_EXHAUSTED]));
  assert.equal(afterAttack.connectedAtMs, before.connectedAtMs, 'the same AgentSync stream');
  assert.equal(afterAttack.missedReports, before.missedReports, 'no report lost');
  assert.ok(afterAttack.reports >= before.reports + 8);
  assert.equal(metricValue(metrics, 'sluice_agent_controller_connected'), 1);
  assert.equal(underLimit, status.INVALID_ARGUMENT);
  assert.equal(ordinary, status.OK);
  const response = await fetch(`${topology.proxyUrl}/after-attack`, { signal: AbortSignal.timeout(5_000) });
  assert.equal(response.status, 200, 'the proxy still gets decisions');
});
