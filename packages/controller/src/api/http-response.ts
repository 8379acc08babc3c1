import type { Server, ServerResponse } from 'node:http';
import type { SpecIssue } from '@sluice/spec';

/** An answer other than 200, thrown by a handler and sent as `{ error, issues?, ...extra }`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly issues?: SpecIssue[],
    readonly extra?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  response.writeHead(statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Sends an error a handler threw; anything but an HttpError is a 500 with its message. */
export function sendError(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  if (!(error instanceof HttpError)) {
    sendJson(response, 500, { error: (error as Error).message });
    return;
  }
  for (const [name, value] of Object.entries(error.headers ?? {})) response.setHeader(name, value);
  sendJson(response, error.statusCode, {
    error: error.message,
    ...(error.issues !== undefined ? { issues: error.issues } : {}),
    ...(error.extra ?? {}),
  });
}

/** Binds `server`-like listeners and resolves with the bound port (useful with port 0). */
export function listen(
  server: Server,
  options: { port: number; host: string; what: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`cannot serve ${options.what} on ${options.host}:${options.port}: ${error.message}`)),
    );
    server.listen(options.port, options.host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : options.port);
    });
  });
}

export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
