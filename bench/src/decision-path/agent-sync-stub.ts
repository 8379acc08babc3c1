/**
 * A controller stand-in on the real AgentSync protocol: it answers each agent's hello with a set of
 * compiled policies and load decisions, and nothing else. The benchmark needs agents held in one
 * state (no policy, pass-through, LM 0.5) for minutes; a real controller would move the load
 * multiplier as soon as latency changed. The soak replaces that state on purpose (`update`).
 */
import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import type { AgentMessage, CompiledPolicy, ControllerMessage, syncV1 } from '@sluice/spec';
import { agentSyncClientConstructor } from '@sluice/spec/protos';

type Stream = ServerDuplexStream<AgentMessage, ControllerMessage>;

/** What the stub tells every agent that connects. */
export interface AgentState {
  readonly policies: readonly CompiledPolicy[];
  readonly decisions: readonly syncV1.LoadDecision[];
}

/**
 * Decisions are re-sent this often so they never expire on the agent's clock, whatever TTL it
 * applies; the TTL sent is longer still.
 */
const DECISION_REFRESH_MS = 10_000;
const DECISION_TTL_MS = 60_000;

function componentsMessage(state: AgentState): ControllerMessage {
  return {
    payload: 'components',
    components: {
      policies: state.policies.map((policy) => ({
        policy_name: policy.policyName,
        policy_hash: policy.policyHash,
        components: policy.components.map((component) => ({
          component_id: component.componentId,
          kind: component.kind,
          json: JSON.stringify(component),
        })),
      })),
    },
  };
}

function decisionsMessage(state: AgentState): ControllerMessage {
  return {
    payload: 'decisions',
    decisions: { decisions: state.decisions.map((decision) => ({ ttl_ms: DECISION_TTL_MS, ...decision })) },
  };
}

export class AgentSyncStub {
  readonly #streams = new Set<Stream>();
  #timer: NodeJS.Timeout | undefined;

  #port = 0;

  private constructor(
    private readonly server: Server,
    private state: AgentState,
  ) {}

  static async start(state: AgentState): Promise<AgentSyncStub> {
    const server = new Server();
    const stub = new AgentSyncStub(server, state);
    server.addService(agentSyncClientConstructor().service, {
      Connect: (stream: Stream) => stub.connect(stream),
    });
    stub.#port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    stub.#timer = setInterval(() => stub.refresh(), DECISION_REFRESH_MS);
    return stub;
  }

  get port(): number {
    return this.#port;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  private connect(stream: Stream): void {
    this.#streams.add(stream);
    stream.on('error', () => this.#streams.delete(stream));
    stream.on('end', () => this.#streams.delete(stream));
    // Reports and preview answers are read and dropped; the hello is the cue to configure the agent.
    stream.once('data', () => {
      stream.write(componentsMessage(this.state));
      if (this.state.decisions.length > 0) stream.write(decisionsMessage(this.state));
    });
    stream.on('data', () => undefined);
  }

  /**
   * Replaces what the agents are told and pushes it to every connected agent at once, components
   * before decisions so the decisions name hashes the agent already runs (as the controller does).
   * Agents that connect later get the new state with their hello.
   */
  update(state: AgentState): void {
    this.state = state;
    for (const stream of this.#streams) {
      stream.write(componentsMessage(state));
      if (state.decisions.length > 0) stream.write(decisionsMessage(state));
    }
  }

  private refresh(): void {
    if (this.state.decisions.length === 0) return;
    for (const stream of this.#streams) stream.write(decisionsMessage(this.state));
  }

  stop(): void {
    clearInterval(this.#timer);
    for (const stream of this.#streams) stream.end();
    this.server.forceShutdown();
  }
}
