import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { sendError } from './http-response.js';

export interface HttpListenerOptions {
  /** What the listener serves, named when it cannot bind (`cannot serve the /v1 API on …`). */
  readonly what: string;
  /** The address `start` binds when given none. */
  readonly defaultHost: string;
  /** Answers one request; what it throws goes to `onError`. */
  readonly handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  /** Answers what `handle` threw. @default sendError (an HttpError as itself, anything else as 500) */
  readonly onError?: (response: ServerResponse, error: unknown) => void;
  /** A request (headers and body) must arrive whole within this long. @default Node's (300 s) */
  readonly requestTimeoutMs?: number;
}

/** One HTTP listener of the controller: binds, answers through `handle`, and closes with its connections. */
export class HttpListener {
  readonly #options: HttpListenerOptions;
  readonly #server: Server;

  constructor(options: HttpListenerOptions) {
    this.#options = options;
    const onError = options.onError ?? sendError;
    this.#server = createServer((request, response) => {
      options.handle(request, response).catch((error: unknown) => onError(response, error));
    });
    if (options.requestTimeoutMs !== undefined) {
      this.#server.requestTimeout = options.requestTimeoutMs;
      this.#server.headersTimeout = options.requestTimeoutMs;
    }
  }

  /** Binds and resolves with the bound port (useful with port 0). */
  start(options: { readonly port: number; readonly host?: string }): Promise<number> {
    const host = options.host ?? this.#options.defaultHost;
    const server = this.#server;
    return new Promise((resolve, reject) => {
      server.once('error', (error) =>
        reject(new Error(`cannot serve ${this.#options.what} on ${host}:${options.port}: ${error.message}`)),
      );
      server.listen(options.port, host, () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : options.port);
      });
    });
  }

  /** Stops listening and closes every connection, idle or not. */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
