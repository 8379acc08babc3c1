import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpListener } from './http-listener.js';
import { HttpError, sendJson } from './http-response.js';

/** This replica's role under leader election and the leader it last saw. */
export interface LeadershipView {
  readonly role: 'leader' | 'follower';
  /** The leader's identity (pod name), when known. */
  readonly leader: string | undefined;
}

export interface ProbeServerSources {
  readonly metrics: () => Promise<{ contentType: string; body: string }>;
  /** Whether the policy sources are loaded (and the servers bound): /readyz, on a follower too. */
  readonly ready: () => boolean;
  /** @default always the leader (one controller) */
  readonly leadership?: () => LeadershipView;
}

/**
 * `/healthz`, `/readyz` and `/metrics` on the HTTP port (8091), which kubelet and Prometheus reach by pod
 * IP, so it binds every interface by default. It answers nothing else: the `/v1` API has a listener of
 * its own (see `HttpApi`), which stays on loopback unless a token protects it.
 */
export class ProbeServer {
  readonly #sources: ProbeServerSources;
  readonly #listener: HttpListener;

  constructor(sources: ProbeServerSources) {
    this.#sources = sources;
    this.#listener = new HttpListener({
      what: 'probes and /metrics',
      defaultHost: '0.0.0.0',
      handle: (request, response) => this.#handle(request, response),
    });
  }

  /** Resolves with the bound port (useful with port 0). */
  start(options: { port: number; host?: string }): Promise<number> {
    return this.#listener.start(options);
  }

  stop(): Promise<void> {
    return this.#listener.stop();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://controller').pathname;
    const sources = this.#sources;
    if (path === '/healthz') return sendJson(response, 200, { status: 'ok' });
    if (path === '/readyz') {
      // Readiness is the process's health, whatever its role: a follower is Ready too, so a Deployment of
      // several replicas becomes available and a PodDisruptionBudget can allow evictions. Agents find the
      // leader by trying the replicas (a follower refuses them as not-leader), not through readiness.
      const leadership = sources.leadership?.() ?? { role: 'leader', leader: undefined };
      const role =
        leadership.role === 'follower'
          ? { role: 'follower', leader: leadership.leader ?? null }
          : { role: 'leader' };
      return sources.ready()
        ? sendJson(response, 200, { status: 'ready', ...role })
        : sendJson(response, 503, { status: 'not ready', ...role });
    }
    if (path === '/metrics') {
      const metrics = await sources.metrics();
      response.writeHead(200, { 'content-type': metrics.contentType });
      response.end(metrics.body);
      return;
    }
    if (path.startsWith('/v1/'))
      throw new HttpError(
        404,
        `no such path ${path} here: the /v1 API has its own port (apiPort, default 8092)`,
      );
    throw new HttpError(404, `no such path ${path}`);
  }
}
