/**
 * An upstream whose behaviour per request the test sets (`script`): answer, hold, send headers and
 * hold, or reset the connection. It records each request as it arrives and when its connection
 * closes before an answer, so tests wait on events, never on sleeps.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type UpstreamScript = (request: IncomingMessage, response: ServerResponse) => void;

export class ScriptedUpstream {
  script: UpstreamScript = (_request, response) => response.writeHead(200).end('ok');
  /** Requests whose headers arrived. */
  requests = 0;
  /** Requests whose connection closed before the response was finished. */
  abandoned = 0;
  readonly #events = new EventEmitter();
  readonly #server = createServer((request, response) => {
    this.requests += 1;
    response.once('close', () => {
      if (!response.writableFinished) {
        this.abandoned += 1;
        this.#events.emit('abandoned');
      }
    });
    this.#events.emit('request');
    this.script(request, response);
  });
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async waitForRequests(count: number): Promise<void> {
    while (this.requests < count) await once(this.#events, 'request');
  }

  async waitForAbandoned(count: number): Promise<void> {
    while (this.abandoned < count) await once(this.#events, 'abandoned');
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
