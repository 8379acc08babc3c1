/**
 * The demo upstream: an HTTP server that models a service with `concurrency` workers. Each request
 * waits in FIFO order for a worker, holds it `latencyMs`, and is answered 500 with probability
 * `errorRatio` (drawn from the injected random source), else 200. With `overload: fast-503` a request
 * that finds every worker busy is answered 503 at once instead of waiting; with `overload: stall` it
 * is held `stallMs` unserved (until its client leaves), then answered 503.
 *
 * Its stats are served without queueing: `GET /_demo/stats` (the {@link UpstreamStatsSnapshot} plus
 * `uptimeMs`), `GET /_demo/stats/seconds` (one entry per second since start) and
 * `GET /_demo/stats/window?from=S&to=S` (requests finished in seconds [S, S) since start).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '@sluice/clock';
import { FifoGate } from './fifo-gate.js';
import { systemRandom, type RandomSource } from '@sluice/clock';
import {
  DemoUpstreamConfigSchema,
  type DemoUpstreamConfig,
  type DemoUpstreamConfigInput,
} from './upstream-config.js';
import { UpstreamStats, type UpstreamSecond, type UpstreamStatsSnapshot } from './upstream-stats.js';

/** Path of the stats endpoint; it bypasses the worker queue. */
export const UPSTREAM_STATS_PATH = '/_demo/stats';

export interface StartUpstreamOptions {
  /** @default systemClock */
  readonly clock?: Clock;
  /** Draws the error decision, once per request served. @default Math.random */
  readonly random?: RandomSource;
}

export interface RunningUpstream {
  readonly config: DemoUpstreamConfig;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  stats(): UpstreamStatsSnapshot;
  /** One entry per second since start that saw a request finish. */
  perSecond(): UpstreamSecond[];
  /** Requests finished in seconds [fromSecond, toSecond) since start. */
  window(fromSecond: number, toSecond: number): Omit<UpstreamSecond, 'second'>;
  /** ms since the upstream started (the origin of its seconds). */
  uptimeMs(): number;
  stop(): Promise<void>;
}

/** @throws ZodError for a bad config. */
export async function startDemoUpstream(
  input: DemoUpstreamConfigInput = {},
  options: StartUpstreamOptions = {},
): Promise<RunningUpstream> {
  const config = DemoUpstreamConfigSchema.parse(input);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const gate = new FifoGate(config.concurrency);
  const stats = new UpstreamStats();
  let stalling = 0;
  const snapshot = () =>
    stats.snapshot({
      inService: gate.inService,
      queueLength: gate.queueLength,
      maxInService: gate.maxInService,
      stalling,
    });
  const startedAt = clock.now();
  const uptimeMs = () => clock.now() - startedAt;

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const arrived = clock.now();
    // Read the body first: a worker is held for service, not for a slow client.
    for await (const _chunk of request) {
      // Discarded; the demo app does nothing with bodies.
    }
    if (config.overload !== 'queue' && gate.inService >= config.concurrency) {
      if (config.overload === 'fast-503') {
        stats.failed({ atMs: uptimeMs(), kind: 'rejected' });
        answer(response, 503, { ok: false, overloaded: true });
        return;
      }
      stats.failed({ atMs: uptimeMs(), kind: 'stalled' });
      stalling += 1;
      const timer = clock.setTimer(config.stallMs, () => answer(response, 503, { ok: false, stalled: true }));
      // The proxy's route timeout resets the request long before; the stall ends with it.
      response.once('close', () => {
        stalling -= 1;
        timer.cancel();
      });
      return;
    }
    const release = await gate.acquire();
    const started = clock.now();
    if (config.latencyMs > 0) await new Promise<void>((resolve) => clock.setTimer(config.latencyMs, resolve));
    const ok = random() >= config.errorRatio;
    release();
    stats.served({ atMs: uptimeMs(), ok, latencyMs: clock.now() - arrived, waitMs: started - arrived });
    answer(response, ok ? 200 : 500, {
      ok,
      path: request.url,
      userType: request.headers['user-type'] ?? null,
    });
  };

  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url?.startsWith(UPSTREAM_STATS_PATH)) {
      const answer = statsAnswer(new URL(request.url, 'http://upstream'), { snapshot, stats, uptimeMs });
      response
        .writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' })
        .end(JSON.stringify(answer ?? { error: 'not found' }));
      return;
    }
    serve(request, response).catch(() => response.destroy());
  });
  // Load tests open many keep-alive connections; Node's default backlog and timeouts suit them.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    config,
    port,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    stats: snapshot,
    perSecond: () => stats.perSecond(),
    window: (fromSecond, toSecond) => stats.window(fromSecond, toSecond),
    uptimeMs,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(response: ServerResponse, status: number, json: unknown): void {
  if (response.destroyed || response.writableEnded) return;
  const body = JSON.stringify(json);
  response
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    .end(body);
}

function statsAnswer(
  url: URL,
  source: { snapshot: () => UpstreamStatsSnapshot; stats: UpstreamStats; uptimeMs: () => number },
): unknown {
  switch (url.pathname) {
    case UPSTREAM_STATS_PATH:
      return { ...source.snapshot(), uptimeMs: source.uptimeMs() };
    case `${UPSTREAM_STATS_PATH}/seconds`:
      return source.stats.perSecond();
    case `${UPSTREAM_STATS_PATH}/window`: {
      const from = Number(url.searchParams.get('from') ?? 0);
      const to = Number(url.searchParams.get('to') ?? Number.POSITIVE_INFINITY);
      return source.stats.window(from, to);
    }
    default:
      return undefined;
  }
}
