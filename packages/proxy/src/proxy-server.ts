/**
 * The proxy itself: an HTTP/1.1 listener that runs each request through the ext_authz filter, then
 * the router (one upstream), then the OpenTelemetry access logger, in Envoy's order. This file is the
 * I/O adapter; what to send and what a response means live in the pure modules it calls.
 */
import { randomUUID } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceError } from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { AccessLogContext } from './access-log-format.js';
import { AccessLogBatcher } from './access-log-batcher.js';
import { AccessLogExporter } from './access-log-exporter.js';
import {
  AccessLogFormatter,
  estimateRecordBytes,
  exportRequest,
  type OtlpLogRecord,
} from './access-log-record.js';
import { startAdminServer, type AdminServer } from './admin-server.js';
import { AuthzClient, envoyStatusCodeOf } from './authz-client.js';
import {
  EXT_AUTHZ_METADATA_NAMESPACE,
  decideFromError,
  decideFromResponse,
  type AuthzDecision,
  type DynamicMetadata,
} from './authz-decision.js';
import { buildCheckRequest } from './check-request.js';
import { systemClockUnref, type Clock } from '@sluice/clock';
import { HOP_BY_HOP_HEADERS, envoyRequestHeaders, upstreamRequestHeaders } from './downstream-headers.js';
import { HeaderFilter } from './header-filter.js';
import { applyHeaderMutations, removeHeaders } from './header-mutation.js';
import { parseProxyConfig, type ProxyConfig, type ProxyConfigInput } from './proxy-config.js';
import { ProxyStats, type ProxyStatsSnapshot } from './proxy-stats.js';
import { RequestBodyReader, type BufferedBody } from './request-body-reader.js';
import type { JsonValue } from './struct-value.js';

/**
 * Response header carrying the ext_authz outcome (`allowed`, `denied`, `failed-open`,
 * `failed-closed`) when `decisionHeader` is on. Envoy has no such header; it lets a load generator
 * count admissions from Sluice's decision instead of guessing from status codes.
 */
export const DECISION_HEADER = 'x-sluice-decision';

export interface StartProxyOptions {
  /** @default systemClockUnref (a pending flush never keeps the process alive) */
  readonly clock?: Clock;
  /** Makes `x-request-id` values for requests that have none. @default crypto.randomUUID */
  readonly newRequestId?: () => string;
  /** Add {@link DECISION_HEADER} to every response. @default false */
  readonly decisionHeader?: boolean;
  /** Called for each access-log record, after it is queued (tests, live views). */
  readonly onAccessLog?: (record: OtlpLogRecord) => void;
  /**
   * Before listening, wait up to this long for the gRPC channel to the agent, so the first requests
   * are not failed open while it connects. An agent that stays down only delays the start. @default 1000
   */
  readonly waitForAgentMs?: number;
  /** Called with each request's ext_authz outcome and its `x-request-id`, before it is acted on. */
  readonly onDecision?: (decision: AuthzDecision | 'payload-too-large', requestId: string) => void;
}

export interface RunningProxy {
  readonly config: ProxyConfig;
  /** Bound listener port (useful with `listen.port: 0`). */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Bound admin port, or undefined when the admin endpoint is off. */
  readonly adminPort: number | undefined;
  /** A copy of the counters now. */
  stats(): ProxyStatsSnapshot;
  /** Sends the pending access-log batch now and waits for every export in flight. */
  flushAccessLogs(): Promise<void>;
  /** Stops listening, closes connections, flushes logs and closes gRPC channels. */
  stop(): Promise<void>;
}

/** Starts a proxy; resolves once it listens. @throws SpecValidationError for a bad config. */
export async function startProxy(
  input: ProxyConfigInput,
  options: StartProxyOptions = {},
): Promise<RunningProxy> {
  const config = parseProxyConfig(input);
  const clock = options.clock ?? systemClockUnref;
  const stats = new ProxyStats();
  const authz = new AuthzClient({
    target: config.extAuthz.target,
    timeoutMs: config.extAuthz.timeoutMs,
    controlPoint: config.extAuthz.controlPoint,
    controlPointMetadataKey: config.extAuthz.controlPointMetadataKey,
  });
  const waitForAgentMs = options.waitForAgentMs ?? 1000;
  if (waitForAgentMs > 0) await authz.waitForReady(waitForAgentMs);
  const logging = config.accessLog === null ? undefined : startAccessLogging(config.accessLog, clock, stats);
  const handler = new RequestHandler({
    config,
    clock,
    stats,
    authz,
    newRequestId: options.newRequestId ?? randomUUID,
    decisionHeader: options.decisionHeader ?? false,
    onDecision: options.onDecision,
    log: (record) => {
      if (logging === undefined) return;
      logging.add(record);
      options.onAccessLog?.(record);
    },
  });
  const server = createServer((request, response) => handler.handle(request, response));
  let admin: AdminServer | undefined;
  try {
    await listen(server, config.listen.port, config.listen.host);
    admin =
      config.admin === null
        ? undefined
        : await startAdminServer({
            host: config.admin.host,
            port: config.admin.port,
            stats: () => stats.snapshot(),
          });
  } catch (error) {
    // A port in use must not leave gRPC channels and timers keeping the process alive.
    server.close();
    handler.close();
    await logging?.close();
    authz.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;

  return {
    config,
    port,
    url: `http://${config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host}:${port}`,
    adminPort: admin?.port,
    stats: () => stats.snapshot(),
    flushAccessLogs: async () => {
      await logging?.flush();
    },
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      handler.close();
      await admin?.stop();
      await logging?.close();
      authz.close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

interface AccessLogging {
  add(record: OtlpLogRecord): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

function startAccessLogging(
  config: NonNullable<ProxyConfig['accessLog']>,
  clock: Clock,
  stats: ProxyStats,
): AccessLogging {
  const exporter = new AccessLogExporter({ target: config.target, timeoutMs: config.exportTimeoutMs });
  const inFlight = new Set<Promise<void>>();
  const batcher = new AccessLogBatcher<OtlpLogRecord>({
    flushIntervalMs: config.bufferFlushIntervalMs,
    bufferSizeBytes: config.bufferSizeBytes,
    clock,
    flush: (records) => {
      const sent = exporter.export(exportRequest(records, config.logName), records.length).then((outcome) => {
        if (outcome.ok) stats.increment('accessLogExportsOk');
        else {
          stats.increment('accessLogExportsFailed');
          stats.increment('accessLogRecordsDropped', outcome.records);
        }
      });
      inFlight.add(sent);
      void sent.then(() => inFlight.delete(sent));
    },
  });
  return {
    add: (record) => {
      stats.increment('accessLogRecords');
      batcher.add(record, estimateRecordBytes(record));
    },
    flush: async () => {
      batcher.flush();
      await Promise.all([...inFlight]);
    },
    close: async () => {
      batcher.close();
      await Promise.all([...inFlight]);
      await exporter.close();
    },
  };
}

interface HandlerDependencies {
  readonly config: ProxyConfig;
  readonly clock: Clock;
  readonly stats: ProxyStats;
  readonly authz: AuthzClient;
  readonly newRequestId: () => string;
  readonly decisionHeader: boolean;
  readonly onDecision: StartProxyOptions['onDecision'];
  readonly log: (record: OtlpLogRecord) => void;
}

/** Timings and sizes of one request, filled in as it progresses. */
interface RequestTrace {
  readonly start: number;
  readonly startWall: number;
  requestSent?: number;
  responseStarted?: number;
  bytesSent: number;
  upstreamHost?: string;
  dynamicMetadata?: DynamicMetadata;
}

class RequestHandler {
  readonly #deps: HandlerDependencies;
  readonly #headerFilter: HeaderFilter;
  readonly #formatter: AccessLogFormatter | undefined;
  readonly #upstreamAgent: Agent;

  constructor(deps: HandlerDependencies) {
    this.#deps = deps;
    const extAuthz = deps.config.extAuthz;
    this.#headerFilter = new HeaderFilter({
      allowedHeaders: extAuthz.allowedHeaders,
      disallowedHeaders: extAuthz.disallowedHeaders,
      credentialHeaders: extAuthz.credentialHeaders,
    });
    const accessLog = deps.config.accessLog;
    this.#formatter =
      accessLog === null
        ? undefined
        : new AccessLogFormatter({ body: accessLog.body, attributes: accessLog.attributes });
    // Envoy's default HTTP/1 connection pool limit (circuit breaker max_connections) is 1024.
    this.#upstreamAgent = new Agent({ keepAlive: true, maxSockets: 1024 });
  }

  close(): void {
    this.#upstreamAgent.destroy();
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    const { clock } = this.#deps;
    const trace: RequestTrace = { start: clock.now(), startWall: clock.wallNow(), bytesSent: 0 };
    const headers = envoyRequestHeaders(
      request.rawHeaders,
      { method: request.method ?? 'GET', path: request.url ?? '/', scheme: 'http' },
      this.#deps.newRequestId,
    );
    const body = new RequestBodyReader(request, () => clock.now());
    response.once('close', () => this.#finish(request, response, headers, body, trace));
    this.#authorize(request, headers, body, trace).then(
      (decision) => this.#act(decision, response, headers, body, trace),
      (error: unknown) => this.#localReply(response, body, trace, 500, `proxy error: ${String(error)}`),
    );
  }

  async #authorize(
    request: IncomingMessage,
    headers: Record<string, string>,
    body: RequestBodyReader,
    trace: RequestTrace,
  ): Promise<AuthzDecision | 'payload-too-large'> {
    const { config, clock } = this.#deps;
    const withBody = config.extAuthz.withRequestBody;
    let buffered: BufferedBody | undefined;
    if (withBody !== null) {
      buffered = await body.holdUpTo(withBody.maxRequestBytes);
      // Without partial messages Envoy refuses a body that fills the buffer before it ends.
      if (
        !withBody.allowPartialMessage &&
        (!buffered.ended || buffered.bytes.length > withBody.maxRequestBytes)
      )
        return 'payload-too-large';
    }
    const checkRequest = buildCheckRequest(
      {
        headers,
        protocol: `HTTP/${request.httpVersion}`,
        source: { address: request.socket.remoteAddress ?? '', port: request.socket.remotePort ?? 0 },
        destination: { address: request.socket.localAddress ?? '', port: request.socket.localPort ?? 0 },
        startTimeMs: trace.startWall,
        bufferedBody: buffered?.bytes,
        bytesReceived: body.received,
      },
      {
        headerFilter: this.#headerFilter,
        maxRequestBytes: withBody?.maxRequestBytes ?? 0,
        packAsBytes: withBody?.packAsBytes ?? false,
        contextExtensions: config.extAuthz.contextExtensions,
      },
    );
    const checkStart = clock.now();
    try {
      const response = await this.#deps.authz.check(checkRequest);
      return decideFromResponse(response, {
        statusCodeOf: envoyStatusCodeOf,
        checkDurationMs: clock.now() - checkStart,
      });
    } catch (error) {
      const code = (error as Partial<ServiceError>).code;
      this.#deps.stats.error(code === undefined ? 'UNKNOWN' : (grpcStatus[code] ?? String(code)));
      return decideFromError((error as Error).message, config.extAuthz);
    }
  }

  #act(
    decision: AuthzDecision | 'payload-too-large',
    response: ServerResponse,
    headers: Record<string, string>,
    body: RequestBodyReader,
    trace: RequestTrace,
  ): void {
    const { stats } = this.#deps;
    this.#deps.onDecision?.(decision, headers['x-request-id'] ?? '');
    if (decision === 'payload-too-large') {
      stats.increment('payloadTooLarge');
      this.#localReply(response, body, trace, 413, 'Payload Too Large');
      return;
    }
    if (this.#deps.decisionHeader) response.setHeader(DECISION_HEADER, decision.kind);
    switch (decision.kind) {
      case 'allowed':
        stats.increment('extAuthzOk');
        trace.dynamicMetadata = decision.dynamicMetadata;
        applyHeaderMutations(headers, decision.requestHeaders);
        removeHeaders(headers, decision.requestHeadersToRemove);
        this.#forward(response, headers, body, trace, (responseHeaders) =>
          applyHeaderMutations(responseHeaders, decision.responseHeaders),
        );
        return;
      case 'failed-open':
        stats.increment('failureModeAllowed');
        applyHeaderMutations(headers, decision.requestHeaders);
        this.#forward(response, headers, body, trace, () => undefined);
        return;
      case 'denied': {
        stats.denied(decision.status);
        trace.dynamicMetadata = decision.dynamicMetadata;
        const replyHeaders: Record<string, string> = {};
        applyHeaderMutations(replyHeaders, decision.responseHeaders);
        this.#localReply(response, body, trace, decision.status, decision.body, replyHeaders);
        return;
      }
      case 'failed-closed':
        stats.increment('failureModeDenied');
        this.#localReply(response, body, trace, decision.status, '');
        return;
    }
  }

  /**
   * The router: one upstream, keep-alive, Envoy's 503 when it cannot be reached or resets before the
   * response headers (`Filter::onUpstreamReset` in Envoy's source/common/router/router.cc), and its
   * route timeout: armed once the whole downstream request has been read (`onRequestComplete`), it
   * resets the upstream request and answers 504 `upstream request timeout` (`onResponseTimeout` →
   * `onUpstreamTimeoutAbort`), or resets the downstream stream when the response had started. Either
   * way no upstream byte arrived before the local reply, so `%RESPONSE_DURATION%` logs `-` while
   * `%DURATION%` holds the whole time (see `#finish`).
   */
  #forward(
    response: ServerResponse,
    headers: Record<string, string>,
    body: RequestBodyReader,
    trace: RequestTrace,
    mutateResponse: (headers: Record<string, string>) => void,
  ): void {
    const { config, clock } = this.#deps;
    // The client left while the Check ran: like Envoy resetting the stream, forward nothing.
    if (response.destroyed) {
      body.discard();
      return;
    }
    const upstream = httpRequest({
      host: config.upstream.host,
      port: config.upstream.port,
      method: headers[':method'],
      path: headers[':path'],
      headers: upstreamRequestHeaders(headers),
      agent: this.#upstreamAgent,
    });
    upstream.once('socket', (socket) => {
      const record = () =>
        (trace.upstreamHost = `${socket.remoteAddress ?? config.upstream.host}:${socket.remotePort ?? config.upstream.port}`);
      // A reused keep-alive socket is already connected; only a new one needs the listener.
      if (socket.connecting) socket.once('connect', record);
      else record();
    });
    upstream.once('finish', () => (trace.requestSent = clock.now()));
    let timedOut = false;
    const timeoutMs = config.upstream.routeTimeoutMs;
    let timer: { cancel(): void } | undefined;
    if (timeoutMs > 0) {
      body.afterEnd(() => {
        if (response.writableEnded || response.destroyed) return;
        timer = clock.setTimer(timeoutMs, () => {
          timedOut = true;
          this.#deps.stats.increment('upstreamTimeouts');
          upstream.destroy();
          if (response.headersSent) response.destroy();
          else this.#localReply(response, body, trace, 504, 'upstream request timeout');
        });
      });
      response.once('close', () => timer?.cancel());
    }
    upstream.once('error', (error) => {
      // The reset the route timeout made; its 504 is already on its way.
      if (timedOut) return;
      if (response.headersSent) {
        response.destroy(error);
        return;
      }
      this.#deps.stats.increment('upstreamErrors');
      this.#localReply(
        response,
        body,
        trace,
        503,
        `upstream connect error or disconnect/reset before headers. reset reason: ${error.message}`,
      );
    });
    upstream.once('response', (upstreamResponse) => {
      trace.responseStarted = clock.now();
      const { single, setCookie } = responseHeadersOf(upstreamResponse);
      mutateResponse(single);
      for (const [name, value] of Object.entries(single)) response.setHeader(name, value);
      if (setCookie.length > 0) response.setHeader('set-cookie', setCookie);
      response.writeHead(upstreamResponse.statusCode ?? 502);
      upstreamResponse.on('data', (chunk: Buffer) => {
        trace.bytesSent += chunk.length;
        if (!response.write(chunk)) {
          upstreamResponse.pause();
          response.once('drain', () => upstreamResponse.resume());
        }
      });
      upstreamResponse.once('end', () => response.end());
      upstreamResponse.once('error', (error) => response.destroy(error));
    });
    body.pumpTo(upstream);
  }

  #localReply(
    response: ServerResponse,
    body: RequestBodyReader,
    trace: RequestTrace,
    status: number,
    text: string,
    headers: Record<string, string> = {},
  ): void {
    body.discard();
    if (response.headersSent || response.destroyed) {
      response.destroy();
      return;
    }
    const payload = Buffer.from(text);
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    if (payload.length > 0 && !response.hasHeader('content-type'))
      response.setHeader('content-type', 'text/plain');
    response.setHeader('content-length', payload.length);
    response.writeHead(status);
    trace.bytesSent += payload.length;
    response.end(payload);
  }

  /** After the response is done (or the client went away): count it and log it. */
  #finish(
    request: IncomingMessage,
    response: ServerResponse,
    headers: Record<string, string>,
    body: RequestBodyReader,
    trace: RequestTrace,
  ): void {
    const { clock, stats } = this.#deps;
    stats.increment('requests');
    if (this.#formatter === undefined) return;
    const end = clock.now();
    const metadata = new Map<string, Readonly<Record<string, JsonValue>>>();
    if (trace.dynamicMetadata !== undefined)
      metadata.set(EXT_AUTHZ_METADATA_NAMESPACE, trace.dynamicMetadata);
    const context: AccessLogContext = {
      requestHeaders: headers,
      responseHeaders: lowerCaseHeaders(response.getHeaders()),
      responseCode: response.headersSent ? response.statusCode : undefined,
      bytesReceived: body.received,
      bytesSent: trace.bytesSent,
      durationMs: end - trace.start,
      requestDurationMs: body.endedAt === undefined ? undefined : body.endedAt - trace.start,
      requestTxDurationMs: trace.requestSent === undefined ? undefined : trace.requestSent - trace.start,
      responseDurationMs:
        trace.responseStarted === undefined ? undefined : trace.responseStarted - trace.start,
      responseTxDurationMs: trace.responseStarted === undefined ? undefined : end - trace.responseStarted,
      protocol: `HTTP/${request.httpVersion}`,
      dynamicMetadata: metadata,
      upstreamHost: trace.upstreamHost,
      downstreamRemoteAddress: socketAddress(request.socket.remoteAddress, request.socket.remotePort),
      downstreamLocalAddress: socketAddress(request.socket.localAddress, request.socket.localPort),
    };
    this.#deps.log(this.#formatter.record(context, trace.startWall));
  }
}

function responseHeadersOf(upstreamResponse: IncomingMessage): {
  single: Record<string, string>;
  setCookie: string[];
} {
  const single: Record<string, string> = {};
  const setCookie: string[] = [];
  const raw = upstreamResponse.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = (raw[index] ?? '').toLowerCase();
    const value = raw[index + 1] ?? '';
    if (HOP_BY_HOP_HEADERS.has(name)) continue;
    if (name === 'set-cookie') setCookie.push(value);
    else single[name] = single[name] === undefined ? value : `${single[name]},${value}`;
  }
  return { single, setCookie };
}

function lowerCaseHeaders(
  headers: Record<string, number | string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return out;
}

function socketAddress(address: string | undefined, port: number | undefined): string | undefined {
  if (address === undefined) return undefined;
  return address.includes(':') ? `[${address}]:${port ?? 0}` : `${address}:${port ?? 0}`;
}
