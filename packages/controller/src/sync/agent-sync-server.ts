import { Server, ServerCredentials, status, type ServerDuplexStream } from '@grpc/grpc-js';
import {
  SYNC_MAX_MESSAGE_BYTES,
  type AgentMessage,
  type CompiledPolicy,
  type ControllerMessage,
  type syncV1,
} from '@sluice/spec';
import { agentSyncService, notLeaderStatus, type AgentSyncHandlers } from '@sluice/spec/protos';
import type { Clock } from '@sluice/clock';
import type { LoadDecision } from '../control/loop-status.js';
import { bearerTokenOf, NO_AGENT_AUTH, type AgentAuthenticator, type AgentPrincipal } from './agent-auth.js';
import type { AgentDirectory, ReportOutcome } from './agent-directory.js';
import {
  DEFAULT_MAX_CONCURRENT_PREVIEWS,
  DEFAULT_MAX_PREVIEW_SAMPLE_BYTES,
  PreviewBusyError,
  PreviewTooLargeError,
  PreviewUnavailableError,
  type PreviewAnswer,
  type PreviewLimits,
  type PreviewQuery,
} from './preview-request.js';
import { componentsMessage, decisionsMessage, policyNamesForGroup } from './sync-messages.js';

export interface AgentSyncServerOptions {
  readonly agents: AgentDirectory;
  /** The compiles agents must run, read on every push. */
  readonly policies: () => readonly CompiledPolicy[];
  /** The decisions in force, sent to an agent right after its components. */
  readonly decisions: () => readonly LoadDecision[];
  /** Every report, after the directory has seen it (`outcome`: what it could not keep). */
  readonly onReport: (report: syncV1.Report, agentId: string, outcome: ReportOutcome) => void;
  /** After an agent's hello was accepted and its components and decisions were sent. */
  readonly onConnect?: (agentId: string) => void;
  /** After an agent's stream ended and it was forgotten. */
  readonly onDisconnect?: (agentId: string) => void;
  readonly clock: Clock;
  readonly log?: (message: string) => void;
  /** Extra time after a preview's own timeout before the controller stops waiting. @default 1000 */
  readonly previewGraceMs?: number;
  /** How long `stop` waits for streams to end before closing them hard. @default 5000 */
  readonly shutdownGraceMs?: number;
  /** How long a drained connection may finish its streams before it is closed hard. @default 1000 */
  readonly drainGraceMs?: number;
  /** Who may connect. @default no authentication (every stream is one anonymous principal) */
  readonly authenticator?: AgentAuthenticator;
  /** Streams refused before any message was read, by reason (`unauthenticated`, `unavailable`, `principal-mismatch`). */
  readonly onRefusal?: (reason: string) => void;
  /** Largest message received; larger ones end the stream (RESOURCE_EXHAUSTED). @default SYNC_MAX_MESSAGE_BYTES */
  readonly maxReceiveMessageBytes?: number;
  readonly previewLimits?: PreviewLimits;
}

type Call = ServerDuplexStream<AgentMessage, ControllerMessage>;

interface Session {
  readonly agentId: string;
  /** Who authenticated the stream; only the same principal may replace this session. */
  readonly principal: AgentPrincipal;
  readonly agentGroup: string;
  readonly capabilities: readonly string[];
  readonly call: Call;
}

interface PendingPreview {
  readonly requestId: string;
  readonly wanted: number;
  readonly targets: Set<string>;
  readonly done: Set<string>;
  readonly errors: Map<string, string>;
  readonly flowLabels: Record<string, string>[];
  readonly httpRequests: unknown[];
  /** Bytes of samples collected so far (label keys and values, request documents). */
  sampleBytes: number;
  finish: (outcome?: 'too-large') => void;
}

/**
 * The AgentSync gRPC server. Agents connect with `hello`; the server registers them, sends the
 * components of their group and the decisions in force, then pushes components on every policy
 * change and decisions on every tick. Reports go to the directory and to `onReport`; previews are
 * forwarded to agents that announced the capability and their answers collected. An agent whose
 * stream ends is forgotten.
 */
export class AgentSyncServer {
  readonly #options: AgentSyncServerOptions;
  readonly #server: Server;
  readonly #sessions = new Map<string, Session>();
  readonly #previews = new Map<string, PendingPreview>();
  readonly #log: (message: string) => void;
  #previewCounter = 0;
  #refusalsSinceLog = 0;
  #lastRefusalLogMs: number | undefined;
  /**
   * While set (a follower), every Connect is refused as not-leader (UNAVAILABLE, `sluice-not-leader: 1`)
   * naming the leader this returns.
   */
  #refusal: (() => string | undefined) | undefined;
  /** `host:port` as bound, the key grpc-js drains connections by. */
  #boundAddress: string | undefined;

  constructor(options: AgentSyncServerOptions) {
    this.#options = options;
    this.#log = options.log ?? ((message) => console.log(message));
    this.#server = new Server({
      'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? SYNC_MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': SYNC_MAX_MESSAGE_BYTES,
    });
    const handlers: AgentSyncHandlers = { Connect: (call) => this.#connect(call) };
    this.#server.addService(agentSyncService().service, handlers);
  }

  /** Binds and serves; resolves with the bound port (useful with port 0). */
  start(options: { port: number; host?: string }): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(
        `${options.host ?? '0.0.0.0'}:${options.port}`,
        ServerCredentials.createInsecure(),
        (error, port) => {
          if (error !== null)
            reject(new Error(`cannot serve AgentSync on port ${options.port}: ${error.message}`));
          else {
            this.#boundAddress = `${options.host ?? '0.0.0.0'}:${port}`;
            resolve(port);
          }
        },
      );
    });
  }

  /** Ends every stream and stops; agents reconnect to the next controller. */
  stop(): Promise<void> {
    for (const preview of this.#previews.values()) preview.finish();
    for (const session of this.#sessions.values()) session.call.end();
    return new Promise((resolve) => {
      // A stream that never said hello has no session to end; do not let it hold the shutdown.
      const force = setTimeout(() => this.#server.forceShutdown(), this.#options.shutdownGraceMs ?? 5000);
      this.#server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  /**
   * Stops serving agents (a controller that is not the leader): every open stream ends with the
   * not-leader refusal of `@sluice/spec` (UNAVAILABLE, trailers `sluice-not-leader: 1` and
   * `sluice-leader: <leader()>`), every new Connect is answered so, and the HTTP/2 connections are
   * drained (GOAWAY). Agents recognise the refusal and soon try another replica; an agent dialling
   * one address (a ClusterIP Service) would otherwise send its next Connect down the same connection
   * to this replica again, while a drained connection makes its channel dial anew.
   */
  refuse(leader: () => string | undefined): void {
    this.#refusal = leader;
    for (const preview of this.#previews.values()) preview.finish();
    for (const session of [...this.#sessions.values()]) session.call.emit('error', notLeaderStatus(leader()));
    this.#drain();
  }

  /** Serves agents again (this controller leads). */
  accept(): void {
    this.#refusal = undefined;
  }

  #drain(): void {
    if (this.#boundAddress === undefined) return;
    try {
      this.#server.drain(this.#boundAddress, this.#options.drainGraceMs ?? 1000);
    } catch (error) {
      this.#log(`AgentSync: could not drain connections: ${(error as Error).message}`);
    }
  }

  get connectedAgentIds(): string[] {
    return [...this.#sessions.keys()].sort();
  }

  /** Sends every agent the full component set of its group (after any policy change). */
  pushComponents(): void {
    const policies = this.#options.policies();
    for (const session of this.#sessions.values())
      session.call.write(componentsMessage(policies, session.agentGroup));
  }

  /** Sends decisions to the agents that run their policies. */
  pushDecisions(decisions: readonly LoadDecision[]): void {
    if (decisions.length === 0) return;
    const policies = this.#options.policies();
    for (const session of this.#sessions.values()) {
      const message = decisionsMessage(decisions, policyNamesForGroup(policies, session.agentGroup));
      if (message !== undefined) session.call.write(message);
    }
  }

  /**
   * Asks every agent that announced `preview` to sample flows; resolves when enough samples arrived,
   * every agent answered done, or the timeout (plus a grace period) passed. Agents still sampling
   * then get a cancel. Rejects with PreviewUnavailableError when no agent can preview.
   */
  preview(query: PreviewQuery): Promise<PreviewAnswer> {
    const targets = [...this.#sessions.values()].filter((session) =>
      session.capabilities.includes('preview'),
    );
    if (targets.length === 0) return Promise.reject(new PreviewUnavailableError());
    const maxConcurrent = this.#options.previewLimits?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_PREVIEWS;
    if (this.#previews.size >= maxConcurrent) return Promise.reject(new PreviewBusyError(maxConcurrent));
    this.#previewCounter += 1;
    const requestId = `preview-${this.#previewCounter}`;
    return new Promise((resolve, reject) => {
      const pending: PendingPreview = {
        requestId,
        wanted: query.samples,
        targets: new Set(targets.map((session) => session.agentId)),
        done: new Set(),
        errors: new Map(),
        flowLabels: [],
        httpRequests: [],
        sampleBytes: 0,
        finish: () => undefined,
      };
      const timer = setTimeout(
        () => pending.finish(),
        query.timeoutMs + (this.#options.previewGraceMs ?? 1000),
      );
      pending.finish = (outcome) => {
        clearTimeout(timer);
        if (!this.#previews.delete(requestId)) return;
        for (const agentId of pending.targets) {
          if (!pending.done.has(agentId))
            this.#sessions
              .get(agentId)
              ?.call.write({ payload: 'preview_cancel', preview_cancel: { request_id: requestId } });
        }
        if (outcome === 'too-large') {
          reject(new PreviewTooLargeError(this.#maxSampleBytes));
          return;
        }
        resolve({
          requestId,
          agents: [...pending.targets].sort().map((agentId) => ({
            agentId,
            done: pending.done.has(agentId),
            ...(pending.errors.has(agentId) ? { error: pending.errors.get(agentId) } : {}),
          })),
          flowLabels: pending.flowLabels.slice(0, pending.wanted),
          httpRequests: pending.httpRequests.slice(0, pending.wanted),
        });
      };
      this.#previews.set(requestId, pending);
      const request: syncV1.PreviewRequest = {
        request_id: requestId,
        control_point: query.controlPoint,
        service: query.service ?? '',
        match_labels: { ...(query.matchLabels ?? {}) },
        samples: query.samples,
        timeout_ms: query.timeoutMs,
        kind: query.kind === 'http-request' ? 'PREVIEW_KIND_HTTP_REQUEST' : 'PREVIEW_KIND_FLOW_LABELS',
      };
      for (const session of targets)
        session.call.write({ payload: 'preview_request', preview_request: request });
    });
  }

  /**
   * A new stream: refused at once by a follower; otherwise authenticated from its metadata before any
   * message is read (grpc-js reads nothing until a data listener asks, so an unauthenticated stream gets
   * no policy, is never registered, and its messages are never parsed).
   */
  #connect(call: Call): void {
    if (this.#refusal !== undefined) {
      call.emit('error', notLeaderStatus(this.#refusal()));
      this.#drain();
      return;
    }
    let gone = false;
    call.once('cancelled', () => (gone = true));
    call.once('close', () => (gone = true));
    const authenticator = this.#options.authenticator ?? NO_AGENT_AUTH;
    authenticator.authenticate(bearerTokenOf(call.metadata)).then(
      (verdict) => {
        if (gone) return;
        if (!verdict.ok) {
          this.#refuse(call, verdict.refusal, verdict.reason);
          return;
        }
        if (this.#refusal !== undefined) {
          call.emit('error', notLeaderStatus(this.#refusal()));
          return;
        }
        this.#serve(call, verdict.principal);
      },
      (error: unknown) => {
        if (!gone) this.#refuse(call, 'unavailable', `authentication failed: ${(error as Error).message}`);
      },
    );
  }

  /** Ends a stream before reading it, counted, and logged at most once per 10 s (a flood must not flood the log). */
  #refuse(
    call: Call,
    reason: 'unauthenticated' | 'unavailable' | 'principal-mismatch',
    detail: string,
  ): void {
    this.#options.onRefusal?.(reason);
    const code =
      reason === 'unauthenticated'
        ? status.UNAUTHENTICATED
        : reason === 'principal-mismatch'
          ? status.ALREADY_EXISTS
          : status.UNAVAILABLE;
    call.emit('error', { code, details: `AgentSync refused: ${detail}` });
    this.#refusalsSinceLog += 1;
    const now = this.#options.clock.wallNow();
    if (this.#lastRefusalLogMs === undefined || now - this.#lastRefusalLogMs >= 10_000) {
      this.#log(
        `AgentSync: refused ${this.#refusalsSinceLog} stream(s) since the last report; latest from ${call.getPeer()}: ${reason}: ${detail}`,
      );
      this.#lastRefusalLogMs = now;
      this.#refusalsSinceLog = 0;
    }
  }

  #serve(call: Call, principal: AgentPrincipal): void {
    let session: Session | undefined;
    const close = () => {
      if (session === undefined) return;
      const current = this.#sessions.get(session.agentId);
      if (current?.call === call) {
        this.#sessions.delete(session.agentId);
        this.#options.agents.forget(session.agentId);
        this.#log(`agent ${session.agentId} disconnected`);
        for (const preview of this.#previews.values()) this.#previewDone(preview, session.agentId);
        this.#options.onDisconnect?.(session.agentId);
      }
      session = undefined;
    };
    call.on('data', (message: AgentMessage) => {
      if (session === undefined) {
        session = this.#hello(call, message, principal);
        return;
      }
      switch (message.payload) {
        case 'report': {
          const now = this.#options.clock.wallNow();
          const outcome = this.#options.agents.report(session.agentId, message.report, now);
          this.#options.onReport(message.report, session.agentId, outcome);
          return;
        }
        case 'preview_samples':
          this.#previewSamples(session.agentId, message.preview_samples);
          return;
        case 'hello':
          call.emit('error', {
            code: status.FAILED_PRECONDITION,
            details: 'hello was already received on this stream; reconnect to start a new session',
          });
          return;
        default:
          // A payload this controller does not know (a newer agent): ignore it rather than drop the agent.
          return;
      }
    });
    call.on('end', () => {
      close();
      call.end();
    });
    call.on('error', () => close());
    call.on('cancelled', () => close());
    call.on('close', () => close());
  }

  #hello(call: Call, message: AgentMessage, principal: AgentPrincipal): Session | undefined {
    if (this.#refusal !== undefined) {
      // The stream opened while this controller led; its hello came after it stepped down.
      call.emit('error', notLeaderStatus(this.#refusal()));
      return undefined;
    }
    if (
      message.payload !== 'hello' ||
      message.hello.agent_id === undefined ||
      message.hello.agent_id === ''
    ) {
      call.emit('error', {
        code: status.INVALID_ARGUMENT,
        details: 'the first message on AgentSync.Connect must be hello with a non-empty agent_id',
      });
      return undefined;
    }
    const previous = this.#sessions.get(message.hello.agent_id);
    if (previous !== undefined && previous.principal !== principal) {
      // Another pod reusing an agent's id must not take its session (and its policies and previews) over.
      this.#refuse(
        call,
        'principal-mismatch',
        `agent id ${message.hello.agent_id} is connected as another principal; ids are unique per pod`,
      );
      return undefined;
    }
    if (previous !== undefined) {
      // The same agent reconnected before its old stream was noticed as dead: the new stream wins.
      this.#sessions.delete(message.hello.agent_id);
      previous.call.end();
    }
    const view = this.#options.agents.register(message.hello, this.#options.clock.wallNow());
    const session: Session = {
      agentId: view.agentId,
      principal,
      agentGroup: view.agentGroup,
      capabilities: view.capabilities,
      call,
    };
    this.#sessions.set(session.agentId, session);
    this.#log(
      `agent ${view.agentId} connected (group ${view.agentGroup}, host ${view.hostname}, version ${view.version})`,
    );
    const policies = this.#options.policies();
    call.write(componentsMessage(policies, session.agentGroup));
    const decisions = decisionsMessage(
      this.#options.decisions(),
      policyNamesForGroup(policies, session.agentGroup),
    );
    if (decisions !== undefined) call.write(decisions);
    this.#options.onConnect?.(session.agentId);
    return session;
  }

  get #maxSampleBytes(): number {
    return this.#options.previewLimits?.maxSampleBytes ?? DEFAULT_MAX_PREVIEW_SAMPLE_BYTES;
  }

  #previewSamples(agentId: string, samples: syncV1.PreviewSamples): void {
    const preview = this.#previews.get(samples.request_id ?? '');
    if (preview === undefined || !preview.targets.has(agentId)) return;
    // Counted before anything is kept: a preview answer must not grow the controller past the limit.
    for (const flow of samples.flow_labels ?? [])
      for (const [key, value] of Object.entries(flow.labels ?? {}))
        preview.sampleBytes += key.length + value.length;
    for (const text of samples.http_requests_json ?? []) preview.sampleBytes += text.length;
    if (preview.sampleBytes > this.#maxSampleBytes) {
      preview.finish('too-large');
      return;
    }
    for (const flow of samples.flow_labels ?? []) preview.flowLabels.push({ ...(flow.labels ?? {}) });
    for (const text of samples.http_requests_json ?? []) {
      try {
        preview.httpRequests.push(JSON.parse(text) as unknown);
      } catch {
        preview.httpRequests.push(text);
      }
    }
    if (samples.error !== undefined && samples.error !== '') preview.errors.set(agentId, samples.error);
    if (samples.done === true || (samples.error !== undefined && samples.error !== ''))
      this.#previewDone(preview, agentId);
    else if (preview.flowLabels.length + preview.httpRequests.length >= preview.wanted) preview.finish();
  }

  #previewDone(preview: PendingPreview, agentId: string): void {
    if (!preview.targets.has(agentId)) return;
    preview.done.add(agentId);
    if (
      preview.done.size === preview.targets.size ||
      preview.flowLabels.length + preview.httpRequests.length >= preview.wanted
    )
      preview.finish();
  }
}
