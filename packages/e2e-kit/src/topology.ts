/**
 * The whole loop as real processes on loopback: demo upstream, controller (file policies), agent and
 * proxy, each started from its package's executable on free ports, plus typed readers for what the
 * tests measure (controller API, proxy admin stats, upstream stats, agent metrics). `stop()` kills
 * every process; call it from an `after` hook so a failing test leaves nothing behind.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, RunningProcess, waitFor } from '@sluice/testkit';
import { bin } from './component-bins.js';

export const API_TOKEN = 'e2e-api-token-0123456789';
export const CONTROL_POINT = 'ingress';

export interface UpstreamShape {
  readonly concurrency: number;
  readonly latencyMs: number;
  /** @default 0 */
  readonly errorRatio?: number;
  /** What a request meets when every worker is busy (`sluice-demo upstream --overload`). @default 'queue' */
  readonly overload?: 'queue' | 'fast-503' | 'stall';
  /** How long `stall` holds a request, ms. @default the upstream's (60000) */
  readonly stallMs?: number;
}

export interface TopologyOptions {
  /** File name (without extension) → FlowPolicy document. Empty: no policy. */
  readonly policies: Readonly<Record<string, unknown>>;
  readonly upstream: UpstreamShape;
  /** More agent flags, e.g. `['--redis-url', url]`. @default [] */
  readonly agentArgs?: readonly string[];
  /** More agent environment, e.g. `SLUICE_AGENT_*` settings that have no flag. @default {} */
  readonly agentEnv?: Readonly<Record<string, string>>;
  /** More proxy flags, e.g. `['--route-timeout-ms', '1000']`. @default [] */
  readonly proxyArgs?: readonly string[];
}

export interface ControlLoopView {
  readonly componentId: string;
  readonly state: string;
  readonly signalMs: number | null;
  readonly baselineMs: number | null;
  readonly setpointMs: number | null;
  readonly loadMultiplier: number;
  readonly observedLoadMultiplier: number;
  readonly overloaded: boolean;
  readonly passThrough: boolean;
  /** `latency`, `stalls`, `errors` (see the controller README). */
  readonly overloadCauses?: readonly string[];
  readonly errorRatio?: number | null;
  readonly baselineErrorRatio?: number | null;
}

export interface PolicyView {
  readonly name: string;
  readonly status: string;
  readonly hash: string;
  readonly controlLoops: readonly ControlLoopView[];
}

export interface ProxyStats {
  readonly requests: number;
  readonly extAuthzOk: number;
  readonly extAuthzDenied: Readonly<Record<string, number>>;
  readonly extAuthzError: Readonly<Record<string, number>>;
  readonly failureModeAllowed: number;
  readonly upstreamErrors: number;
}

export interface UpstreamWindow {
  readonly servedOk: number;
  readonly servedError: number;
  /** Answered 503 at once / held unserved because every worker was busy (overload modes). */
  readonly overloadRejected: number;
  readonly stalled: number;
  readonly latency: { readonly count: number; readonly p50Ms: number; readonly p90Ms: number };
}

export class Topology {
  upstream!: RunningProcess;
  controller!: RunningProcess;
  agent!: RunningProcess;
  proxy!: RunningProcess;
  readonly ports = {
    upstream: 0,
    controllerGrpc: 0,
    controllerHttp: 0,
    controllerApi: 0,
    agentGrpc: 0,
    agentHttp: 0,
    proxy: 0,
    proxyAdmin: 0,
  };
  readonly dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  readonly policyDir = join(this.dir, 'policies');
  readonly stateDir = join(this.dir, 'state');

  private constructor(readonly options: TopologyOptions) {}

  /** Starts everything and waits until the agent is connected and holds the policies. */
  static async start(options: TopologyOptions): Promise<Topology> {
    const topology = new Topology(options);
    try {
      await topology.#start();
    } catch (error) {
      await topology.stop();
      throw error;
    }
    return topology;
  }

  get proxyUrl(): string {
    return `http://127.0.0.1:${this.ports.proxy}`;
  }

  /** The controller's /v1 API (its own port). */
  get controllerUrl(): string {
    return `http://127.0.0.1:${this.ports.controllerApi}`;
  }

  get upstreamCapacityRps(): number {
    return (this.options.upstream.concurrency * 1000) / this.options.upstream.latencyMs;
  }

  async #start(): Promise<void> {
    for (const key of Object.keys(this.ports) as (keyof Topology['ports'])[])
      this.ports[key] = await freePort();
    mkdirSync(this.policyDir);
    mkdirSync(this.stateDir);
    for (const [name, policy] of Object.entries(this.options.policies)) {
      writeFileSync(join(this.policyDir, `${name}.yaml`), stringify(policy));
    }
    const { concurrency, latencyMs, errorRatio = 0, overload, stallMs } = this.options.upstream;
    [this.upstream, this.controller] = await Promise.all([
      RunningProcess.start({
        name: 'upstream',
        args: [
          bin('demo'),
          'upstream',
          '--host',
          '127.0.0.1',
          '--port',
          String(this.ports.upstream),
          '--concurrency',
          String(concurrency),
          '--latency-ms',
          String(latencyMs),
          '--error-ratio',
          String(errorRatio),
          ...(overload === undefined ? [] : ['--overload', overload]),
          ...(stallMs === undefined ? [] : ['--stall-ms', String(stallMs)]),
        ],
        readyLine: /demo upstream on/,
      }),
      this.startController(),
    ]);
    await this.startAgent();
    this.proxy = await RunningProcess.start({
      name: 'proxy',
      args: [
        bin('proxy'),
        '--listen',
        `127.0.0.1:${this.ports.proxy}`,
        '--upstream',
        `127.0.0.1:${this.ports.upstream}`,
        '--agent',
        `127.0.0.1:${this.ports.agentGrpc}`,
        '--admin',
        `127.0.0.1:${this.ports.proxyAdmin}`,
        '--control-point',
        CONTROL_POINT,
        '--access-log',
        '--decision-header',
        ...(this.options.proxyArgs ?? []),
      ],
      readyLine: /sluice-proxy listening on/,
    });
  }

  /** Starts (or restarts) the controller on its ports, state directory and policies. */
  async startController(): Promise<RunningProcess> {
    this.controller = await RunningProcess.start({
      name: 'controller',
      args: [
        bin('controller'),
        '--policies',
        this.policyDir,
        '--state-dir',
        this.stateDir,
        '--grpc-port',
        String(this.ports.controllerGrpc),
        '--http-port',
        String(this.ports.controllerHttp),
        '--api-port',
        String(this.ports.controllerApi),
        // Every listener on loopback, as a local run should be.
        '--bind-address',
        '127.0.0.1',
      ],
      env: { SLUICE_CONTROLLER_API_TOKEN: API_TOKEN },
      readyLine: /AgentSync on/,
    });
    return this.controller;
  }

  /** Starts (or restarts) the agent on its ports and waits until the controller lists it with the policies applied. */
  async startAgent(): Promise<RunningProcess> {
    this.agent = await RunningProcess.start({
      name: 'agent',
      args: [
        bin('agent'),
        '--grpc-port',
        String(this.ports.agentGrpc),
        '--http-port',
        String(this.ports.agentHttp),
        '--controller',
        `127.0.0.1:${this.ports.controllerGrpc}`,
        // Reports every 250 ms: the loop sees overload sooner, so less backlog builds before the cut.
        '--report-interval-ms',
        '250',
        ...(this.options.agentArgs ?? []),
      ],
      ...(this.options.agentEnv === undefined ? {} : { env: this.options.agentEnv }),
      readyLine: /"listening"/,
    });
    await this.waitForAgentSynced(15_000);
    return this.agent;
  }

  /** The controller lists one agent and the agent has applied every policy. */
  async waitForAgentSynced(timeoutMs: number): Promise<void> {
    const expected = Object.keys(this.options.policies).length;
    await waitFor(
      async () => {
        const { agents } = await this.api<{ agents: { agentId: string }[] }>('/v1/agents');
        if (agents.length !== 1) return false;
        const metrics = await this.agentMetrics();
        return (
          metricValue(metrics, 'sluice_agent_controller_connected') === 1 &&
          metricValue(metrics, 'sluice_agent_policies') === expected
        );
      },
      { timeoutMs, what: `the agent connected to the controller with ${expected} policies` },
    );
  }

  /** GET (or POST with a body) on the controller API with the token. */
  async api<T>(path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.controllerUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    if (!response.ok) throw new Error(`controller ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async policies(): Promise<PolicyView[]> {
    return (await this.api<{ policies: PolicyView[] }>('/v1/policies')).policies;
  }

  /** The one control loop of the one policy. */
  async loop(): Promise<ControlLoopView> {
    const [policy] = await this.policies();
    const loop = policy?.controlLoops[0];
    if (loop === undefined) throw new Error('no control loop yet');
    return loop;
  }

  async proxyStats(): Promise<ProxyStats> {
    const response = await fetch(`http://127.0.0.1:${this.ports.proxyAdmin}/stats`, {
      signal: AbortSignal.timeout(5_000),
    });
    return (await response.json()) as ProxyStats;
  }

  async agentMetrics(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.ports.agentHttp}/metrics`, {
      signal: AbortSignal.timeout(5_000),
    });
    return response.text();
  }

  async upstreamUptimeMs(): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${this.ports.upstream}/_demo/stats`, {
      signal: AbortSignal.timeout(5_000),
    });
    return ((await response.json()) as { uptimeMs: number }).uptimeMs;
  }

  /** Requests the upstream finished in its seconds [from, to). */
  async upstreamWindow(fromSecond: number, toSecond: number): Promise<UpstreamWindow> {
    const response = await fetch(
      `http://127.0.0.1:${this.ports.upstream}/_demo/stats/window?from=${fromSecond}&to=${toSecond}`,
      { signal: AbortSignal.timeout(5_000) },
    );
    return (await response.json()) as UpstreamWindow;
  }

  /** Kills every process (those already gone are skipped) and removes the temporary directory. */
  async stop(): Promise<void> {
    await Promise.all(
      [this.proxy, this.agent, this.controller, this.upstream].map((running) => running?.stop()),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The value of the first sample of `name` (optionally with a label fragment such as `field="load_multiplier"`). */
export function metricValue(metrics: string, name: string, labelFragment?: string): number | undefined {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labelFragment !== undefined && !rest.includes(labelFragment)) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
