import { EventEmitter } from 'node:events';
import type { Clock } from './clock/clock.js';
import { HttpApi } from './api/http-api.js';
import { ControllerMetrics } from './api/controller-metrics.js';
import { ControlLoops, loopKey } from './control/control-loops.js';
import { PolicyRegistry } from './policies/policy-registry.js';
import type { BaselineStore } from './state/baseline-store.js';
import { AgentDirectory } from './sync/agent-directory.js';
import { AgentSyncServer } from './sync/agent-sync-server.js';

export interface ControllerOptions {
  readonly clock: Clock;
  /** Where baselines survive restarts; none keeps them in memory only. */
  readonly baselines?: BaselineStore;
  /** Optional bearer token for the /v1 API. */
  readonly apiToken?: string;
  /** How often due control loops are looked for; loops tick on their own evaluationInterval. @default 100 */
  readonly schedulerResolutionMs?: number;
  readonly log?: (message: string) => void;
}

/**
 * Wires policy registry, control loops, agent sync and HTTP API together. Policy sources (files,
 * Kubernetes) feed `registry`; every registry change recompiles the loop set and pushes components;
 * every tick pushes the decisions it produced at once.
 */
export class Controller {
  readonly registry = new PolicyRegistry();
  readonly agents = new AgentDirectory();
  readonly metrics = new ControllerMetrics();
  readonly loops: ControlLoops;
  /**
   * `report` (agentId) after a report reached the loops, `agent-connected` / `agent-disconnected`
   * (agentId), `tick` (the decisions pushed). For tests and embedding; nothing in the controller listens.
   */
  readonly events = new EventEmitter();
  readonly sync: AgentSyncServer;
  readonly api: HttpApi;
  readonly #clock: Clock;
  readonly #resolutionMs: number;
  #stopScheduler: (() => void) | undefined;
  #ready = false;

  constructor(options: ControllerOptions) {
    this.#clock = options.clock;
    this.#resolutionMs = options.schedulerResolutionMs ?? 100;
    const log = options.log ?? ((message: string) => console.log(message));
    this.loops = new ControlLoops(options.baselines !== undefined ? { baselines: options.baselines } : {});
    this.sync = new AgentSyncServer({
      agents: this.agents,
      policies: () => this.registry.running(),
      decisions: () => this.loops.decisions(),
      onReport: (report, agentId) => {
        this.metrics.report();
        this.loops.record(report);
        this.events.emit('report', agentId);
      },
      onConnect: (agentId) => this.events.emit('agent-connected', agentId),
      onDisconnect: (agentId) => this.events.emit('agent-disconnected', agentId),
      clock: this.#clock,
      log,
    });
    this.api = new HttpApi({
      sources: {
        policies: () => this.registry.entries(),
        loopStatus: (policyName, componentId) => {
          const loop = this.loops.get(loopKey({ policyName, componentId }));
          return loop === undefined
            ? undefined
            : { status: loop.status, passThrough: loop.decision().passThrough };
        },
        agents: () => this.agents.agents(),
        controlPoints: () => this.agents.controlPoints(this.#clock.now()),
        preview: (query) => this.sync.preview(query),
        metrics: async () => {
          this.metrics.agents(this.sync.connectedAgentIds.length);
          return {
            contentType: this.metrics.registry.contentType,
            body: await this.metrics.registry.metrics(),
          };
        },
        ready: () => this.#ready,
      },
      ...(options.apiToken !== undefined ? { bearerToken: options.apiToken } : {}),
    });
    this.registry.onChange((change) => {
      if (change.kind === 'invalid') {
        // An invalid version changes nothing that runs: the last good compile (if any) stays.
        this.metrics.invalidPolicy();
        this.metrics.policies(this.registry.entries());
        return;
      }
      const before = new Set(this.loops.loops().map(({ key }) => key));
      this.loops.sync(this.registry.running());
      for (const key of before) {
        if (this.loops.get(key) !== undefined) continue;
        const [policyName = '', componentId = ''] = key.split('/');
        this.metrics.removeLoop(policyName, componentId);
      }
      this.metrics.policies(this.registry.entries());
      this.sync.pushComponents();
      // A recompile changes the policy hash; agents ignore decisions under a stale hash, so resend.
      this.sync.pushDecisions(this.loops.decisions());
    });
  }

  /** Serves AgentSync and the HTTP API and starts the tick scheduler; resolves with the bound ports. */
  async start(options: {
    grpcPort: number;
    httpPort: number;
    host?: string;
  }): Promise<{ grpcPort: number; httpPort: number }> {
    const host = options.host ?? '0.0.0.0';
    const grpcPort = await this.sync.start({ port: options.grpcPort, host });
    const httpPort = await this.api.start({ port: options.httpPort, host });
    this.#stopScheduler = this.#clock.every(this.#resolutionMs, () => this.tick());
    return { grpcPort, httpPort };
  }

  /** Marks the policy sources as loaded; /readyz answers 200 from now on. */
  setReady(ready: boolean): void {
    this.#ready = ready;
  }

  /** Runs the loops that are due and pushes their decisions at once. */
  tick(): void {
    const results = this.loops.tickDue(this.#clock.now());
    if (results.length === 0) return;
    for (const { loop, result } of results) {
      this.metrics.loop(
        loop.config.policyName,
        loop.config.componentId,
        result.status,
        result.decision.passThrough,
        result.released,
      );
    }
    const decisions = results.map(({ result }) => result.decision);
    this.sync.pushDecisions(decisions);
    this.events.emit('tick', decisions);
  }

  async stop(): Promise<void> {
    this.#stopScheduler?.();
    this.loops.persistAll();
    await Promise.all([this.sync.stop(), this.api.stop()]);
  }
}
