import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SpecIssue } from '@sluice/spec';
import type { PolicyEntry } from '../policies/policy-registry.js';
import type { AgentView, ControlPointView } from '../sync/agent-directory.js';
import { PreviewUnavailableError, type PreviewAnswer, type PreviewQuery } from '../sync/preview-request.js';
import type { LoopStatus } from '../control/average-latency-loop.js';
import { parsePreviewBody } from './preview-body.js';

/** What the API reads; the controller wires these to its parts. */
export interface HttpApiSources {
  readonly policies: () => readonly PolicyEntry[];
  /** Status of a running control loop, by policy name and component id. */
  readonly loopStatus: (
    policyName: string,
    componentId: string,
  ) => { status: LoopStatus; passThrough: boolean } | undefined;
  readonly agents: () => readonly AgentView[];
  readonly controlPoints: () => readonly ControlPointView[];
  readonly preview: (query: PreviewQuery) => Promise<PreviewAnswer>;
  readonly metrics: () => Promise<{ contentType: string; body: string }>;
  /** Whether the policy sources are loaded (and the servers bound): /readyz, on a follower too. */
  readonly ready: () => boolean;
  /**
   * This replica's role under leader election and the leader it last saw. /readyz reports both; a
   * follower answers /v1/* with 503 naming the leader. @default always the leader (one controller)
   */
  readonly leadership?: () => LeadershipView;
}

export interface LeadershipView {
  readonly role: 'leader' | 'follower';
  /** The leader's identity (pod name), when known. */
  readonly leader: string | undefined;
}

export interface HttpApiOptions {
  readonly sources: HttpApiSources;
  /** When set, /v1/* needs `Authorization: Bearer <token>`; probes and /metrics stay open. */
  readonly bearerToken?: string;
  /** Largest accepted request body. @default 65536 */
  readonly maxBodyBytes?: number;
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly issues?: SpecIssue[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

function send(response: ServerResponse, statusCode: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  response.writeHead(statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (match?.[1] === undefined) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  // Constant time, so response timing does not reveal how much of a guess was right.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The controller's HTTP API for `sluicectl` (JSON), Prometheus metrics and the probes. A thin
 * adapter: every answer comes from `sources`.
 */
export class HttpApi {
  readonly #options: HttpApiOptions;
  readonly #server: Server;

  constructor(options: HttpApiOptions) {
    this.#options = options;
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        if (error instanceof HttpError)
          send(response, error.statusCode, {
            error: error.message,
            ...(error.issues !== undefined ? { issues: error.issues } : {}),
            ...(error.extra ?? {}),
          });
        else send(response, 500, { error: (error as Error).message });
      });
    });
  }

  /** Resolves with the bound port (useful with port 0). */
  start(options: { port: number; host?: string }): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', (error) =>
        reject(new Error(`cannot serve the HTTP API on port ${options.port}: ${error.message}`)),
      );
      this.#server.listen(options.port, options.host ?? '0.0.0.0', () => {
        const address = this.#server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : options.port);
      });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://controller');
    const method = request.method ?? 'GET';
    const sources = this.#options.sources;
    const leadership = sources.leadership?.() ?? { role: 'leader', leader: undefined };
    const follower = leadership.role === 'follower';
    if (url.pathname === '/healthz') return send(response, 200, { status: 'ok' });
    if (url.pathname === '/readyz') {
      // Readiness is the process's health, whatever its role: a follower is Ready too, so a Deployment of
      // several replicas becomes available and a PodDisruptionBudget can allow evictions. Agents find the
      // leader by trying the replicas (a follower refuses them as not-leader), not through readiness.
      const role = follower ? { role: 'follower', leader: leadership.leader ?? null } : { role: 'leader' };
      return sources.ready()
        ? send(response, 200, { status: 'ready', ...role })
        : send(response, 503, { status: 'not ready', ...role });
    }
    if (url.pathname === '/metrics') {
      const metrics = await sources.metrics();
      response.writeHead(200, { 'content-type': metrics.contentType });
      response.end(metrics.body);
      return;
    }
    if (!url.pathname.startsWith('/v1/')) throw new HttpError(404, `no such path ${url.pathname}`);
    const token = this.#options.bearerToken;
    if (token !== undefined && !tokenMatches(request.headers.authorization, token)) {
      response.setHeader('www-authenticate', 'Bearer');
      throw new HttpError(401, 'missing or wrong bearer token');
    }
    if (follower) {
      // A follower runs no loops and has no agents: its answers would look valid and be wrong.
      throw new HttpError(
        503,
        `this controller is a follower; the leader${leadership.leader !== undefined ? ` (${leadership.leader})` : ''} serves the API`,
        undefined,
        { leader: leadership.leader ?? null },
      );
    }
    const route = `${method} ${url.pathname}`;
    switch (route) {
      case 'GET /v1/policies':
        return send(response, 200, { policies: sources.policies().map((entry) => this.#policyView(entry)) });
      case 'GET /v1/agents':
        return send(response, 200, { agents: sources.agents() });
      case 'GET /v1/control-points':
        return send(response, 200, { controlPoints: sources.controlPoints() });
      case 'POST /v1/preview': {
        const parsed = parsePreviewBody(await this.#readJson(request));
        if (!parsed.ok) throw new HttpError(400, 'invalid preview request', parsed.issues);
        try {
          return send(response, 200, await sources.preview(parsed.value));
        } catch (error) {
          if (error instanceof PreviewUnavailableError) throw new HttpError(503, error.message);
          throw error;
        }
      }
      default:
        if (['/v1/policies', '/v1/agents', '/v1/control-points', '/v1/preview'].includes(url.pathname))
          throw new HttpError(405, `${method} is not allowed on ${url.pathname}`);
        throw new HttpError(404, `no such path ${url.pathname}`);
    }
  }

  #policyView(entry: PolicyEntry) {
    const running = entry.running;
    return {
      name: entry.name ?? null,
      source: entry.sourceKey,
      status: entry.status,
      message: entry.message,
      issues: entry.issues,
      hash: entry.hash ?? null,
      runningHash: running?.policyHash ?? null,
      controlLoops: (running?.controlLoops ?? []).map((config) => {
        const loop = this.#options.sources.loopStatus(config.policyName, config.componentId);
        return {
          componentId: config.componentId,
          state: loop?.status.state ?? null,
          signalMs: loop?.status.signalMs ?? null,
          baselineMs: loop?.status.baselineMs ?? null,
          setpointMs: loop?.status.setpointMs ?? null,
          loadMultiplier: loop?.status.desiredLoadMultiplier ?? null,
          observedLoadMultiplier: loop?.status.observedLoadMultiplier ?? null,
          overloaded: loop?.status.overloaded ?? false,
          overloadCauses: loop?.status.overloadCauses ?? [],
          errorRatio: loop?.status.errorRatio ?? null,
          baselineErrorRatio: loop?.status.baselineErrorRatio ?? null,
          passThrough: loop?.passThrough ?? true,
          releases: loop?.status.releases ?? 0,
          dryRun: config.dryRun,
        };
      }),
    };
  }

  async #readJson(request: IncomingMessage): Promise<unknown> {
    const limit = this.#options.maxBodyBytes ?? 65_536;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new HttpError(400, `request body is not JSON: ${(error as Error).message}`);
    }
  }
}
