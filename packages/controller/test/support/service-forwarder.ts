import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface ServiceEndpoint {
  /** For assertions: which replica a connection went to. */
  readonly name: string;
  readonly port: number;
  /** Probed for readiness: `GET http://127.0.0.1:{httpPort}/readyz` must answer 200. */
  readonly httpPort: number;
}

/**
 * A tiny stand-in for a Kubernetes Service in front of the controller replicas, since no cluster can
 * run here. Like kube-proxy it picks an endpoint per TCP connection, only among endpoints whose
 * readiness probe passes (the kubelet probing /readyz and the EndpointSlice following it, here
 * every `probeIntervalMs`); with no ready endpoint a connection is reset (kube-proxy rejects it);
 * and when the chosen endpoint's process dies the connection dies with it.
 */
export class ServiceForwarder {
  readonly #server: Server;
  readonly #endpoints: readonly ServiceEndpoint[];
  readonly #ready = new Set<string>();
  readonly #sockets = new Set<Socket>();
  readonly #probeIntervalMs: number;
  #probeTimer: NodeJS.Timeout | undefined;
  /** Every accepted connection and the endpoint it went to (`none` when refused). */
  readonly connections: { atMs: number; endpoint: string }[] = [];
  port = 0;

  constructor(options: { endpoints: readonly ServiceEndpoint[]; probeIntervalMs?: number }) {
    this.#endpoints = options.endpoints;
    this.#probeIntervalMs = options.probeIntervalMs ?? 250;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve()));
    const address = this.#server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    const probe = () => {
      for (const endpoint of this.#endpoints) void this.#probe(endpoint);
    };
    probe();
    this.#probeTimer = setInterval(probe, this.#probeIntervalMs);
  }

  async stop(): Promise<void> {
    if (this.#probeTimer !== undefined) clearInterval(this.#probeTimer);
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Names of the endpoints whose last probe passed. */
  get ready(): string[] {
    return [...this.#ready].sort();
  }

  async #probe(endpoint: ServiceEndpoint): Promise<void> {
    let ok = false;
    try {
      const response = await fetch(`http://127.0.0.1:${endpoint.httpPort}/readyz`, {
        signal: AbortSignal.timeout(this.#probeIntervalMs * 2),
      });
      ok = response.status === 200;
      await response.body?.cancel();
    } catch {
      ok = false;
    }
    if (ok) this.#ready.add(endpoint.name);
    else this.#ready.delete(endpoint.name);
  }

  #accept(downstream: Socket): void {
    const ready = this.#endpoints.filter((endpoint) => this.#ready.has(endpoint.name));
    const endpoint = ready[Math.floor(Math.random() * ready.length)];
    this.connections.push({ atMs: Date.now(), endpoint: endpoint?.name ?? 'none' });
    if (endpoint === undefined) {
      downstream.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: endpoint.port });
    for (const socket of [downstream, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.#sockets.delete(socket);
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  }
}
