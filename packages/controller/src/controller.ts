import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '@sluice/clock';
import { HttpApi } from './api/http-api.js';
import { ControllerMetrics } from './metrics/controller-metrics.js';
import { ProbeServer } from './api/probe-server.js';
import { ControlLoops, loopKey } from './control/control-loops.js';
import { PolicyRegistry } from './policies/policy-registry.js';
import type { BaselineStore } from './state/baseline-store.js';
import { GatedBaselineStore } from './state/baseline-store-gated.js';
import type { AgentAuthenticator } from './sync/agent-auth.js';
import { AgentDirectory, type AgentDirectoryOptions } from './sync/agent-directory.js';
import { AgentSyncServer } from './sync/agent-sync-server.js';
import type { PreviewLimits } from './sync/preview-request.js';

export interface ControllerOptions {
  readonly clock: Clock;
  /** Where baselines survive restarts; none keeps them in memory only. */
  readonly baselines?: BaselineStore;
  /** Optional bearer token for the /v1 API. */
  readonly apiToken?: string;
  /** Host names the /v1 API answers besides localhost and IP addresses. @default none */
  readonly apiAllowedHosts?: readonly string[];
  /** Who may connect over AgentSync. @default no authentication */
  readonly agentAuth?: AgentAuthenticator;
  readonly previewLimits?: PreviewLimits;
  /** Expiry and caps of the agent directory. @default 60 s, 1000 control points per agent */
  readonly directory?: AgentDirectoryOptions;
  /** How often expired control points are swept. @default 5000 */
  readonly directorySweepMs?: number;
  /** How often due control loops are looked for; loops tick on their own evaluationInterval. @default 100 */
  readonly schedulerResolutionMs?: number;
  readonly log?: (message: string) => void;
  /**
   * `follower` starts without serving agents, ticking loops or saving baselines, until `lead()`;
   * leader election calls `lead()` and `follow()`. @default 'leader' (a single controller)
   */
  readonly role?: ControllerRole;
  /** The current leader's identity, named in a follower's answers. @default none known */
  readonly leader?: () => string | undefined;
}

export type ControllerRole = 'leader' | 'follower';

/**
 * Wires policy registry, control loops, agent sync and HTTP API together. Policy sources (files,
 * Kubernetes) feed `registry`; every registry change recompiles the loop set and pushes components;
 * every tick pushes the decisions it produced at once.
 *
 * With leader election only the leader acts. A follower keeps its policy registry current but runs
 * no loops, refuses AgentSync as not-leader (UNAVAILABLE naming the leader, connections drained), saves
 * no baselines, and answers /v1/* with 503 naming the leader. It is Ready all the same (readiness is
 * the process's health), so every healthy replica counts as available and agents find the leader by
 * trying the replicas. `lead()` builds the loops afresh from the persisted baselines, so control
 * resumes at once on the baselines the previous leader saved.
 */
export class Controller {
  readonly registry = new PolicyRegistry();
  readonly agents: AgentDirectory;
  readonly metrics = new ControllerMetrics();
  /**
   * `report` (agentId) after a report reached the loops, `agent-connected` / `agent-disconnected`
   * (agentId), `tick` (the decisions pushed), `role` (the role taken by `lead` or `follow`). For tests
   * and embedding; nothing in the controller listens.
   */
  readonly events = new EventEmitter();
  readonly sync: AgentSyncServer;
  readonly api: HttpApi;
  readonly probes: ProbeServer;
  readonly #sweepMs: number;
  #stopSweep: TimerHandle | undefined;
  readonly #clock: Clock;
  readonly #resolutionMs: number;
  readonly #baselines: BaselineStore | undefined;
  readonly #leader: () => string | undefined;
  #loops: ControlLoops;
  #role: ControllerRole;
  #stopScheduler: TimerHandle | undefined;
  #ready = false;

  constructor(options: ControllerOptions) {
    this.#clock = options.clock;
    this.#resolutionMs = options.schedulerResolutionMs ?? 100;
    this.#role = options.role ?? 'leader';
    this.#leader = options.leader ?? (() => undefined);
    const log = options.log ?? ((message: string) => console.log(message));
    this.agents = new AgentDirectory(options.directory);
    this.#sweepMs = options.directorySweepMs ?? 5000;
    this.#baselines =
      options.baselines === undefined
        ? undefined
        : new GatedBaselineStore({ store: options.baselines, open: () => this.#role === 'leader' });
    this.#loops = this.#newLoops();
    this.sync = new AgentSyncServer({
      agents: this.agents,
      policies: () => this.registry.running(),
      decisions: () => this.loops.decisions(),
      onReport: (report, agentId, outcome) => {
        this.metrics.report();
        this.metrics.controlPointsDropped('agent-cap', outcome.droppedOverCap);
        this.metrics.controlPointsDropped('too-long', outcome.droppedTooLong);
        this.loops.record(report);
        this.events.emit('report', agentId);
      },
      onConnect: (agentId) => this.events.emit('agent-connected', agentId),
      onDisconnect: (agentId) => this.events.emit('agent-disconnected', agentId),
      clock: this.#clock,
      log,
      ...(options.agentAuth !== undefined ? { authenticator: options.agentAuth } : {}),
      onRefusal: (reason) => this.metrics.syncRefusal(reason),
      ...(options.previewLimits !== undefined ? { previewLimits: options.previewLimits } : {}),
    });
    const leadership = () => ({
      role: this.#role,
      leader: this.#role === 'leader' ? undefined : this.#leader(),
    });
    this.probes = new ProbeServer({
      metrics: async () => {
        this.metrics.agents(this.sync.connectedAgentIds.length);
        return {
          contentType: this.metrics.registry.contentType,
          body: await this.metrics.registry.metrics(),
        };
      },
      ready: () => this.#ready,
      leadership,
    });
    this.api = new HttpApi({
      sources: {
        policies: () => this.registry.entries(),
        loopStatus: (policyName, componentId) => {
          const loop = this.#loops.get(loopKey({ policyName, componentId }));
          return loop === undefined
            ? undefined
            : { status: loop.status, passThrough: loop.decision().passThrough };
        },
        agents: () => this.agents.agents(),
        controlPoints: () => this.agents.controlPoints(this.#clock.wallNow()),
        preview: (query) => this.sync.preview(query),
        leadership,
      },
      ...(options.apiToken !== undefined ? { bearerToken: options.apiToken } : {}),
      ...(options.apiAllowedHosts !== undefined ? { allowedHosts: options.apiAllowedHosts } : {}),
      onRefusal: (reason) => this.metrics.apiRefusal(reason),
    });
    this.registry.onChange((change) => {
      if (change.kind === 'invalid') {
        // An invalid version changes nothing that runs: the last good compile (if any) stays.
        this.metrics.invalidPolicy();
        this.metrics.policies(this.registry.entries());
        return;
      }
      this.metrics.policies(this.registry.entries());
      // A follower only keeps its registry current; `lead()` builds the loops from it.
      if (this.#role !== 'leader') return;
      const before = new Set(this.#loops.loops().map(({ key }) => key));
      this.#loops.sync(this.registry.running());
      for (const key of before) {
        if (this.#loops.get(key) !== undefined) continue;
        const [policyName = '', componentId = ''] = key.split('/');
        this.metrics.removeLoop(policyName, componentId);
      }
      this.sync.pushComponents();
      // A recompile changes the policy hash; agents ignore decisions under a stale hash, so resend.
      this.sync.pushDecisions(this.#loops.decisions());
    });
    this.metrics.initialRole(this.#role);
    if (this.#role === 'follower') this.sync.refuse(() => this.#leader());
  }

  /** The control loops (a follower has none). */
  get loops(): ControlLoops {
    return this.#loops;
  }

  get role(): ControllerRole {
    return this.#role;
  }

  /**
   * Starts leading: builds the loops from the running policies with the baselines persisted so far
   * (control resumes on the previous leader's baselines at once) and serves agents again.
   */
  lead(): void {
    if (this.#role === 'leader') return;
    this.#role = 'leader';
    this.#loops = this.#newLoops();
    this.#loops.sync(this.registry.running());
    this.metrics.roleChanged('leader');
    this.sync.accept();
    this.events.emit('role', 'leader');
  }

  /**
   * Stops leading, synchronously: from the moment it returns no decision is computed or pushed, no
   * baseline saved, and every agent stream has been ended with the not-leader refusal (agents try the
   * other replicas until one leads). What the loops learned since their last save is dropped: the next
   * leader starts from the last persisted baselines.
   */
  follow(): void {
    if (this.#role === 'follower') return;
    this.#role = 'follower';
    for (const { loop } of this.#loops.loops())
      this.metrics.removeLoop(loop.config.policyName, loop.config.componentId);
    this.#loops = this.#newLoops();
    this.metrics.roleChanged('follower');
    this.sync.refuse(() => this.#leader());
    this.events.emit('role', 'follower');
  }

  #newLoops(): ControlLoops {
    return new ControlLoops(this.#baselines !== undefined ? { baselines: this.#baselines } : {});
  }

  /**
   * Serves AgentSync, the probes and `/metrics`, and the `/v1` API, and starts the tick scheduler and the
   * directory sweep; resolves with the bound ports.
   */
  async start(options: {
    grpcPort: number;
    httpPort: number;
    apiPort: number;
    /** One address for every listener unless given one by one (tests bind 127.0.0.1). */
    host?: string;
    /** AgentSync's address. @default '0.0.0.0' */
    grpcHost?: string;
    /** The probes' and metrics' address. @default '0.0.0.0' */
    httpHost?: string;
    /** The API's address. @default '127.0.0.1' */
    apiHost?: string;
  }): Promise<{ grpcPort: number; httpPort: number; apiPort: number }> {
    const { host } = options;
    const grpcPort = await this.sync.start({
      port: options.grpcPort,
      host: options.grpcHost ?? host ?? '0.0.0.0',
    });
    const httpPort = await this.probes.start({
      port: options.httpPort,
      host: options.httpHost ?? host ?? '0.0.0.0',
    });
    const apiPort = await this.api.start({
      port: options.apiPort,
      host: options.apiHost ?? host ?? '127.0.0.1',
    });
    this.#stopScheduler = this.#clock.setInterval(this.#resolutionMs, () => this.tick());
    // Expired control points go on a timer, not when someone reads them: memory must not wait for a reader.
    this.#stopSweep = this.#clock.setInterval(this.#sweepMs, () => this.sweep());
    return { grpcPort, httpPort, apiPort };
  }

  /** Removes control points past their expiry from the agent directory and exports how many remain. */
  sweep(): void {
    this.metrics.controlPoints(this.agents.expire(this.#clock.wallNow()));
  }

  /** Marks the policy sources as loaded; /readyz answers 200 from now on, leader or follower. */
  markReady(): void {
    this.#ready = true;
  }

  /** Runs the loops that are due and pushes their decisions at once (only while leading). */
  tick(): void {
    if (this.#role !== 'leader') return;
    const results = this.#loops.tickDue(this.#clock.wallNow());
    if (results.length === 0) return;
    for (const { loop, result } of results)
      this.metrics.loop({
        policyName: loop.config.policyName,
        componentId: loop.config.componentId,
        status: result.status,
        passThrough: result.decision.passThrough,
        released: result.released,
      });
    const decisions = results.map(({ result }) => result.decision);
    this.sync.pushDecisions(decisions);
    this.events.emit('tick', decisions);
  }

  async stop(): Promise<void> {
    this.#stopScheduler?.cancel();
    this.#stopSweep?.cancel();
    // A leader saves what its loops learned; the gate makes this a no-op for a follower.
    this.#loops.persistAll();
    await Promise.all([this.sync.stop(), this.api.stop(), this.probes.stop()]);
  }
}
