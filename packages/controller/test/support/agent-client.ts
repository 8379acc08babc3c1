import { credentials, Metadata, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import type { AgentMessage, ControllerMessage, syncV1 } from '@sluice/spec';
import { agentSyncClientConstructor } from '@sluice/spec/protos';

/**
 * A test agent speaking the real sync.proto over real gRPC (loopback). It records every controller
 * message; `next` waits for the message event itself (the timeout only reports a missing message).
 */
export class TestAgent {
  readonly received: ControllerMessage[] = [];
  readonly stream: ClientDuplexStream<AgentMessage, ControllerMessage>;
  readonly closed: Promise<ServiceError | undefined>;
  readonly #client;
  readonly #waiters: {
    predicate: (message: ControllerMessage) => boolean;
    resolve: (message: ControllerMessage) => void;
  }[] = [];
  #sequence = 0;

  /** `token` is sent as `authorization: Bearer <token>`, as the agent does. */
  constructor(port: number, options: { readonly token?: string } = {}) {
    const Client = agentSyncClientConstructor();
    this.#client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
    const metadata = new Metadata();
    if (options.token !== undefined) metadata.set('authorization', `Bearer ${options.token}`);
    this.stream = this.#client.Connect(metadata);
    this.stream.on('data', (message: ControllerMessage) => {
      this.received.push(message);
      for (const waiter of [...this.#waiters]) {
        if (!waiter.predicate(message)) continue;
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    });
    this.closed = new Promise((resolve) => {
      this.stream.on('error', (error: ServiceError) => resolve(error));
      this.stream.on('end', () => resolve(undefined));
    });
  }

  hello(hello: syncV1.Hello): void {
    this.stream.write({ payload: 'hello', hello });
  }

  report(report: Omit<syncV1.Report, 'sequence'>): void {
    this.#sequence += 1;
    this.stream.write({ payload: 'report', report: { sequence: this.#sequence, ...report } });
  }

  /** The first message, already received or still to come, that satisfies `predicate`. */
  next(predicate: (message: ControllerMessage) => boolean, timeoutMs = 10_000): Promise<ControllerMessage> {
    const seen = this.received.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching controller message within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.push({
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      });
    });
  }

  /** Like `next`, but only messages that arrive after this call. */
  upcoming(
    predicate: (message: ControllerMessage) => boolean,
    timeoutMs = 10_000,
  ): Promise<ControllerMessage> {
    const from = this.received.length;
    return this.next((message) => this.received.indexOf(message) >= from && predicate(message), timeoutMs);
  }

  close(): void {
    this.stream.end();
    this.#client.close();
  }
}
