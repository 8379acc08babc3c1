/**
 * The Check servers under test, each its own process so its CPU time can be read from /proc: the bare
 * grpc-js server and `sluice-agent` (the built `dist/main.js`) in a given policy state, each agent
 * with its own AgentSync stub.
 */
import { fileURLToPath } from 'node:url';
import { freePort, RunningProcess, waitFor } from '@sluice/testkit';
import type { CompiledPolicy } from '@sluice/spec';
import { metricValue } from '@sluice/e2e-kit';
import { packageMain, TSX_LOADER } from '../system/repo-paths.js';
import { AgentSyncStub } from './agent-sync-stub.js';
import { BENCH_SCHEDULER } from './bench-policy.js';

const BARE_MAIN = fileURLToPath(new URL('./bare-check-server-main.ts', import.meta.url));

/** The states the decision path is measured in. */
export type ServerKind = 'bare' | 'agent-no-policy' | 'agent-pass-through' | 'agent-lm-0.5';

export const SERVER_LABELS: Readonly<Record<ServerKind, string>> = {
  bare: 'bare grpc-js',
  'agent-no-policy': 'agent, no policy',
  'agent-pass-through': 'agent, policy, pass-through',
  'agent-lm-0.5': 'agent, policy, LM 0.5',
};

export interface CheckServer {
  readonly kind: ServerKind;
  readonly process: RunningProcess;
  readonly grpcPort: number;
  /** The agent's metrics port; undefined for the bare server. */
  readonly httpPort: number | undefined;
  /** The agent's AgentSync stub (the soak pushes new policies through it); undefined for the bare server. */
  readonly sync: AgentSyncStub | undefined;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  readonly kind: ServerKind;
  readonly policy: CompiledPolicy;
  /** Extra `node` flags before the script, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
}

export async function startCheckServer(options: StartServerOptions): Promise<CheckServer> {
  const grpcPort = await freePort();
  if (options.kind === 'bare') {
    const running = await RunningProcess.start({
      name: 'bare-check-server',
      args: [...(options.nodeFlags ?? []), '--import', TSX_LOADER, BARE_MAIN, String(grpcPort)],
      readyLine: /"listening"/,
    });
    return {
      kind: 'bare',
      process: running,
      grpcPort,
      httpPort: undefined,
      sync: undefined,
      stop: async () => void (await running.stop()),
    };
  }
  const httpPort = await freePort();
  const loadMultiplier = options.kind === 'agent-lm-0.5' ? 0.5 : undefined;
  const stub = await AgentSyncStub.start({
    policies: options.kind === 'agent-no-policy' ? [] : [options.policy],
    decisions:
      options.kind === 'agent-no-policy'
        ? []
        : [
            {
              policy_name: options.policy.policyName,
              policy_hash: options.policy.policyHash,
              component_id: BENCH_SCHEDULER,
              ...(loadMultiplier === undefined
                ? { pass_through: true }
                : { load_multiplier: loadMultiplier }),
            },
          ],
  });
  const running = await RunningProcess.start({
    name: options.kind,
    args: [
      ...(options.nodeFlags ?? []),
      packageMain('agent'),
      '--grpc-port',
      String(grpcPort),
      '--http-port',
      String(httpPort),
      '--controller',
      stub.address,
      '--log-level',
      'warn',
    ],
    readyLine: /"listening"/,
  });
  const server: CheckServer = {
    kind: options.kind,
    process: running,
    grpcPort,
    httpPort,
    sync: stub,
    stop: async () => {
      await running.stop(15_000);
      stub.stop();
    },
  };
  try {
    await waitForAgentState(server, {
      policies: options.kind === 'agent-no-policy' ? 0 : 1,
      loadMultiplier,
    });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** The agent's Prometheus text. */
export async function agentMetrics(server: CheckServer): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${server.httpPort}/metrics`, {
    signal: AbortSignal.timeout(5_000),
  });
  return response.text();
}

/** Waits until the agent is connected, holds `policies` policies and (when given) runs at that load multiplier. */
async function waitForAgentState(
  server: CheckServer,
  expected: { readonly policies: number; readonly loadMultiplier: number | undefined },
): Promise<void> {
  await waitFor(
    async () => {
      const metrics = await agentMetrics(server);
      if (metricValue(metrics, 'sluice_agent_controller_connected') !== 1) return false;
      if (metricValue(metrics, 'sluice_agent_policies') !== expected.policies) return false;
      if (expected.loadMultiplier === undefined) return true;
      return (
        metricValue(metrics, 'sluice_agent_scheduler_state', 'field="load_multiplier"') ===
        expected.loadMultiplier
      );
    },
    { timeoutMs: 20_000, what: `${server.kind} in its policy state` },
  );
}

/** Checks the agent answered so far, by decision (from its `checks_total` counter). */
export async function agentDecisionCounts(
  server: CheckServer,
): Promise<{ readonly accepted: number; readonly rejected: number }> {
  if (server.httpPort === undefined) return { accepted: Number.NaN, rejected: Number.NaN };
  const metrics = await agentMetrics(server);
  return {
    accepted: metricValue(metrics, 'sluice_agent_checks_total', 'decision="accepted"') ?? 0,
    rejected: metricValue(metrics, 'sluice_agent_checks_total', 'decision="rejected"') ?? 0,
  };
}
