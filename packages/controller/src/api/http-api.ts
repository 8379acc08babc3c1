import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PolicyEntry } from '../policies/policy-registry.js';
import type { AgentView, ControlPointView } from '../sync/agent-directory.js';
import {
  PreviewBusyError,
  PreviewTooLargeError,
  PreviewUnavailableError,
  type PreviewAnswer,
  type PreviewQuery,
} from '../sync/preview-request.js';
import type { LoopStatus } from '../control/loop-status.js';
import { BearerTokenCheck } from './bearer-token.js';
import { HostAllowList } from './host-allow-list.js';
import { HttpListener } from './http-listener.js';
import { HttpError, sendError, sendJson } from './http-response.js';
import { MAX_JSON_NESTING, nestsDeeperThan } from './json-nesting.js';
import { parsePreviewBody } from './preview-body.js';
import type { LeadershipView } from './probe-server.js';

export type { LeadershipView } from './probe-server.js';

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
  /**
   * This replica's role under leader election and the leader it last saw; a follower answers /v1/*
   * with 503 naming the leader. @default always the leader (one controller)
   */
  readonly leadership?: () => LeadershipView;
}

export interface HttpApiOptions {
  readonly sources: HttpApiSources;
  /** When set, /v1/* needs `Authorization: Bearer <token>`. */
  readonly bearerToken?: string;
  /** Host names answered besides localhost and IP addresses (the controller Service's names). @default none */
  readonly allowedHosts?: readonly string[];
  /** Largest accepted request body. @default 65536 */
  readonly maxBodyBytes?: number;
  /** Refusals by reason (`host`, `token`, `media-type`, `nesting`, …), for the metrics. */
  readonly onRefusal?: (reason: string) => void;
}

const ROUTES = ['/v1/policies', '/v1/agents', '/v1/control-points', '/v1/preview'];

/**
 * The controller's `/v1` API for `sluicectl`, on a listener of its own (apiPort, 8092) apart from the
 * probes and `/metrics`. A thin adapter: every answer comes from `sources`. In order, a request must
 * name an allowed Host (else 421 Misdirected Request: DNS rebinding), carry the token when one is set
 * (401, compared as HMAC digests in constant time), reach the leader (503), and a body must be
 * `application/json` (415), at most `maxBodyBytes` (413) and nested at most 32 deep (400).
 */
export class HttpApi {
  readonly #options: HttpApiOptions;
  readonly #listener: HttpListener;
  readonly #token: BearerTokenCheck | undefined;
  readonly #hosts: HostAllowList;

  constructor(options: HttpApiOptions) {
    this.#options = options;
    this.#token = options.bearerToken === undefined ? undefined : new BearerTokenCheck(options.bearerToken);
    this.#hosts = new HostAllowList(options.allowedHosts);
    this.#listener = new HttpListener({
      what: 'the /v1 API',
      defaultHost: '127.0.0.1',
      handle: (request, response) => this.#handle(request, response),
      onError: (response, error) => {
        if (error instanceof HttpError && error.statusCode !== 404 && error.statusCode !== 405)
          options.onRefusal?.(refusalReason(error.statusCode));
        sendError(response, error);
      },
      // A request must arrive whole within 10 s: a slow sender holds no connection for long.
      requestTimeoutMs: 10_000,
    });
  }

  /** Whether a token protects the API. */
  get protected(): boolean {
    return this.#token !== undefined;
  }

  /** Resolves with the bound port (useful with port 0). */
  start(options: { port: number; host?: string }): Promise<number> {
    return this.#listener.start(options);
  }

  stop(): Promise<void> {
    return this.#listener.stop();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!this.#hosts.allows(request.headers.host)) {
      const names = ['localhost', 'an IP address', ...this.#hosts.names].join(', ');
      throw new HttpError(
        421,
        `Host ${JSON.stringify(request.headers.host ?? '')} is not served here (DNS rebinding protection); use ${names}`,
      );
    }
    const url = new URL(request.url ?? '/', 'http://controller');
    const method = request.method ?? 'GET';
    const sources = this.#options.sources;
    if (!url.pathname.startsWith('/v1/')) throw new HttpError(404, `no such path ${url.pathname}`);
    if (this.#token !== undefined && !this.#token.matches(request.headers.authorization))
      throw new HttpError(401, 'missing or wrong bearer token', undefined, undefined, {
        'www-authenticate': 'Bearer',
      });
    const leadership = sources.leadership?.() ?? { role: 'leader', leader: undefined };
    if (leadership.role === 'follower') {
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
        return sendJson(response, 200, {
          policies: sources.policies().map((entry) => this.#policyView(entry)),
        });
      case 'GET /v1/agents':
        return sendJson(response, 200, { agents: sources.agents() });
      case 'GET /v1/control-points':
        return sendJson(response, 200, { controlPoints: sources.controlPoints() });
      case 'POST /v1/preview': {
        const parsed = parsePreviewBody(await this.#readJson(request));
        if (!parsed.ok) throw new HttpError(400, 'invalid preview request', parsed.issues);
        return sendJson(response, 200, await this.#preview(parsed.value));
      }
      default:
        if (ROUTES.includes(url.pathname))
          throw new HttpError(405, `${method} is not allowed on ${url.pathname}`);
        throw new HttpError(404, `no such path ${url.pathname}`);
    }
  }

  async #preview(query: PreviewQuery): Promise<PreviewAnswer> {
    try {
      return await this.#options.sources.preview(query);
    } catch (error) {
      if (error instanceof PreviewUnavailableError) throw new HttpError(503, error.message);
      if (error instanceof PreviewBusyError)
        throw new HttpError(
          429,
          error.message,
          undefined,
          { maxConcurrent: error.maxConcurrent },
          {
            'retry-after': '1',
          },
        );
      if (error instanceof PreviewTooLargeError)
        throw new HttpError(413, error.message, undefined, { maxSampleBytes: error.maxSampleBytes });
      throw error;
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
    // JSON only: a form or text/plain body is what a cross-site page can send without asking first.
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json')
      throw new HttpError(
        415,
        `content-type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted; send application/json`,
      );
    const limit = this.#options.maxBodyBytes ?? 65_536;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (nestsDeeperThan(text, MAX_JSON_NESTING))
      throw new HttpError(400, `request body nests objects or arrays deeper than ${MAX_JSON_NESTING}`);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new HttpError(400, `request body is not JSON: ${(error as Error).message}`);
    }
  }
}

/** The refusal counter's label for an answer the API refused. */
function refusalReason(statusCode: number): string {
  switch (statusCode) {
    case 421:
      return 'host';
    case 401:
      return 'token';
    case 415:
      return 'media-type';
    case 413:
      return 'too-large';
    case 429:
      return 'busy';
    case 400:
      return 'bad-request';
    case 503:
      return 'unavailable';
    default:
      return 'error';
  }
}
