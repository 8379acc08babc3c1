/**
 * An upstream that answers at once with a status chosen per request (by the test's function) and
 * records the headers it saw.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StatusServer {
  readonly url: string;
  readonly seen: IncomingHttpHeaders[];
  stop(): Promise<void>;
}

export async function startStatusServer(
  answer: (headers: IncomingHttpHeaders) => { status: number; headers?: Record<string, string> },
): Promise<StatusServer> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    const { status, headers } = answer(request.headers);
    response.writeHead(status, headers).end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
