/**
 * A fake agent: the test process speaking the real sync.proto over real gRPC to a controller, with or
 * without a credential, recording every byte of what the controller sends it.
 */
import { credentials, Metadata, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import type { AgentMessage, ControllerMessage, syncV1 } from '@sluice/spec';
import { agentSyncClientConstructor } from '@sluice/spec/protos';

export class FakeAgent {
  readonly received: ControllerMessage[] = [];
  /** Bytes of controller messages received (each message re-encoded by the shared proto loader). */
  receivedBytes = 0;
  readonly closed: Promise<ServiceError | undefined>;
  readonly #stream: ClientDuplexStream<AgentMessage, ControllerMessage>;
  readonly #client;
  #sequence = 0;

  constructor(port: number, token?: string) {
    const Client = agentSyncClientConstructor();
    this.#client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    });
    const metadata = new Metadata();
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    this.#stream = this.#client.Connect(metadata);
    const encode = Client.service.Connect.responseSerialize;
    this.#stream.on('data', (message: ControllerMessage) => {
      this.received.push(message);
      this.receivedBytes += encode(message).length;
    });
    this.closed = new Promise((resolve) => {
      this.#stream.on('error', (error: ServiceError) => resolve(error));
      this.#stream.on('end', () => resolve(undefined));
    });
  }

  hello(agentId: string, capabilities: string[] = ['preview']): void {
    this.#stream.write({
      payload: 'hello',
      hello: { agent_id: agentId, hostname: agentId, agent_group: 'default', version: '0.1.0', capabilities },
    });
  }

  report(report: Omit<syncV1.Report, 'sequence'>): Promise<void> {
    this.#sequence += 1;
    return new Promise((resolve) =>
      this.#stream.write({ payload: 'report', report: { sequence: this.#sequence, ...report } }, () =>
        resolve(),
      ),
    );
  }

  /** Resolves with the first received message matching `predicate`, rejects after `timeoutMs`. */
  async next(
    predicate: (message: ControllerMessage) => boolean,
    timeoutMs = 10_000,
  ): Promise<ControllerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no matching controller message within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20)); // polling a condition, bounded by the deadline
    }
  }

  close(): void {
    this.#stream.cancel();
    this.#client.close();
  }
}
