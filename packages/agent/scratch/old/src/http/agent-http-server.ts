import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ControlPointRegistry } from '../control-points/control-point-registry.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';

export interface AgentHttpServerOptions {
  readonly metrics: AgentMetrics;
  readonly controlPoints: ControlPointRegistry;
  readonly agentGroup: string;
  /** Ready = the gRPC server is serving and not draining. */
  readonly ready: () => boolean;
}

/** /metrics, /healthz, /readyz and /v1/control-points. Read-only, so every route is GET. */
export class AgentHttpServer {
  private readonly server: Server;

  constructor(private readonly options: AgentHttpServerOptions) {
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`internal error: ${(error as Error).message}\n`);
      });
    });
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://agent').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end('only GET and HEAD are allowed\n');
      return;
    }
    switch (path) {
      case '/metrics': {
        const body = await this.options.metrics.registry.metrics();
        response.writeHead(200, { 'content-type': this.options.metrics.registry.contentType }).end(body);
        return;
      }
      case '/healthz':
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      case '/readyz': {
        const ready = this.options.ready();
        response
          .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
          .end(ready ? 'ready\n' : 'not ready\n');
        return;
      }
      case '/v1/control-points': {
        const controlPoints = this.options.controlPoints
          .list()
          .map((entry) => ({ agentGroup: this.options.agentGroup, ...entry }));
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(`${JSON.stringify({ controlPoints })}\n`);
        return;
      }
      default:
        response
          .writeHead(404, { 'content-type': 'text/plain' })
          .end(`no route ${path}; try /metrics, /healthz, /readyz or /v1/control-points\n`);
    }
  }
}
