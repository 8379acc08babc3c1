import type { ServerResponse } from 'node:http';
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
