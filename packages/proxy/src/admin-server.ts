/**
 * The admin endpoint, like Envoy's admin port: `GET /stats` (JSON counters), `GET /metrics`
 * (Prometheus text) and `GET /healthz`. Separate from the data port so probes and scrapes never go
 * through ext_authz.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderPrometheus, type ProxyStatsSnapshot } from './proxy-stats.js';

export interface AdminServer {
  readonly port: number;
  stop(): Promise<void>;
}

export function startAdminServer(options: {
  readonly host: string;
  readonly port: number;
  readonly stats: () => ProxyStatsSnapshot;
}): Promise<AdminServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      response.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/stats') {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(`${JSON.stringify(options.stats(), null, 2)}\n`);
    } else if (path === '/metrics') {
      response
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        .end(renderPrometheus(options.stats()));
    } else if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try /stats, /metrics or /healthz\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
