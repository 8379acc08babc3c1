import { hostname } from 'node:os';
import type { AgentConfig } from '@sluice/spec';
import { AccessLogReceiver } from './access-log/access-log-receiver.js';
import { PeerLogBudget } from './access-log/peer-log-budget.js';
import { RecordVerifier } from './access-log/record-verifier.js';
import { CheckHandler } from './check/check-handler.js';
import type { Clock, RandomSource } from '@sluice/clock';
import { systemClock, systemRandom } from '@sluice/clock';
import { ComponentRegistry } from './components/component-registry.js';
import { ControlPointRegistry } from './control-points/control-point-registry.js';
import { ControllerLink } from './controller-link/controller-link.js';
import { controllerTokenReader } from './controller-link/controller-credential.js';
import { AgentGrpcServer } from './grpc/agent-grpc-server.js';
import { grpcReceiveLimitBytes } from './grpc/grpc-limits.js';
import { AgentHttpServer } from './http/agent-http-server.js';
import type { WindowedCounterOptions } from './load-scheduler/windowed-counter.js';
import { jsonLogger, type AgentLogger } from './logging/agent-logger.js';
import { AgentMetrics } from './metrics/agent-metrics.js';
import { PreviewRegistry } from './preview/preview-registry.js';
import { RandomBytePool, systemRandomFill, type RandomFill } from './record-key/random-byte-pool.js';
import { RecordKeyFile } from './record-key/record-key-file.js';
import { EventLoopLagMonitor } from './runtime/event-loop-lag.js';
import { LocalBucketStore } from './token-bucket/bucket-store-local.js';
import { RedisBucketStore } from './token-bucket/bucket-store-redis.js';

export interface AgentOptions {
  readonly config: AgentConfig;
  /** From the environment only (REDIS_USERNAME / REDIS_PASSWORD), never from flags or files. */
  readonly redisCredentials?: { readonly username?: string; readonly password?: string };
  /** Interface to bind, over config.bindAddress. @default config.bindAddress */
  readonly host?: string;
  /** @default the process's monotonic clock */
  readonly clock?: Clock;
  /** @default Math.random */
  readonly random?: RandomSource;
  /** @default a JSON-lines logger at config.logLevel */
  readonly logger?: AgentLogger;
  /** Token-rate window of load schedulers. @default 30 × 1 s */
  readonly window?: WindowedCounterOptions;
  /** Per-call Redis timeout; past it the local bucket decides. @default 50 */
  readonly redisCallTimeoutMs?: number;
  /** Redis key prefix (tests isolate runs with it). @default 'sluice:rl:' */
  readonly redisKeyPrefix?: string;
  /** Agent id sent to the controller. @default hostname + pid */
  readonly agentId?: string;
  /** How long SIGTERM drain waits for in-flight calls. @default 10000 */
  readonly drainGraceMs?: number;
  /** Report tick to the controller. @default 1000 */
  readonly reportIntervalMs?: number;
  /** Wall clock, epoch ms: decision records' start times and their ages. @default clock.wallNow */
  readonly wallClockMs?: () => number;
  /** Cryptographic random bytes (record nonces, an ephemeral record key). @default crypto.randomFillSync */
  readonly randomFill?: RandomFill;
}

/** Every piece of one agent process, wired; `start` binds the ports, `stop` drains. */
export class Agent {
  readonly metrics: AgentMetrics;
  readonly registry: ComponentRegistry;
  readonly controlPoints: ControlPointRegistry;
  readonly previews: PreviewRegistry;
  readonly redis: RedisBucketStore | undefined;
  readonly controllerLink: ControllerLink | undefined;
  private readonly grpc: AgentGrpcServer;
  private readonly http: AgentHttpServer;
  private readonly lag: EventLoopLagMonitor;
  private readonly logger: AgentLogger;
  private readonly recordKeys: RecordKeyFile;
  private readonly clock: Clock;
  private draining = false;
  private serving = false;

  constructor(private readonly options: AgentOptions) {
    const { config } = options;
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    this.logger = options.logger ?? jsonLogger(config.logLevel);
    this.metrics = new AgentMetrics();
    this.lag = new EventLoopLagMonitor(20, (lagMs) => this.metrics.eventLoopLag.set(lagMs / 1000));
    this.controlPoints = new ControlPointRegistry(clock, {
      onDropped: () => this.metrics.controlPointsDropped.inc(),
    });
    this.previews = new PreviewRegistry(clock, config.previewRedactedHeaders, {
      maxConcurrent: config.previewMaxConcurrent,
      maxSampleBytes: config.previewMaxSampleBytes,
      onRefused: (reason) => this.metrics.previewsRefused.inc({ reason }),
    });
    const localStore = new LocalBucketStore({ clock });
    this.redis =
      config.redisUrl === undefined
        ? undefined
        : new RedisBucketStore({
            url: config.redisUrl,
            ...(options.redisCredentials ?? {}),
            keyPrefix: options.redisKeyPrefix ?? 'sluice:rl:',
            ...(options.redisCallTimeoutMs !== undefined
              ? { callTimeoutMs: options.redisCallTimeoutMs }
              : {}),
            fallback: localStore,
            clock,
            metrics: this.metrics,
            logger: this.logger,
          });
    this.registry = new ComponentRegistry({
      clock,
      agentGroup: config.agentGroup,
      localStore,
      ...(this.redis ? { redisStore: this.redis } : {}),
      ...(options.window ? { window: options.window } : {}),
      onDecisionExpired: (scheduler) =>
        this.metrics.decisionEvents.inc({
          policy_name: scheduler.identity.policyName,
          component_id: scheduler.identity.componentId,
          outcome: 'expired',
        }),
    });
    const wallClockMs = options.wallClockMs ?? (() => clock.wallNow());
    const randomFill = options.randomFill ?? systemRandomFill;
    this.recordKeys = new RecordKeyFile({
      path: config.recordKeyFile,
      clock,
      logger: this.logger,
      metrics: this.metrics,
      randomFill,
    });
    const checks = new CheckHandler({
      clock,
      wallClockMs,
      agentGroup: config.agentGroup,
      registry: this.registry,
      controlPoints: this.controlPoints,
      previews: this.previews,
      metrics: this.metrics,
      lagMs: () => this.lag.lagMs(),
      logger: this.logger,
      redactedHeaders: new Set(config.previewRedactedHeaders.map((name) => name.toLowerCase())),
      recordKeys: this.recordKeys.ring,
      random: new RandomBytePool(randomFill),
    });
    const logBudget = new PeerLogBudget({
      clock,
      recordsPerSecond: config.accessLogMaxRecordsPerSecond,
      ...(config.accessLogMaxRecordsPerSecondPerPeer === undefined
        ? {}
        : { recordsPerSecondPerPeer: config.accessLogMaxRecordsPerSecondPerPeer }),
      onOverShare: (records) => this.metrics.accessLogRecordsOverPeerShare.inc(records),
    });
    this.grpc = new AgentGrpcServer({
      clock,
      checks,
      accessLogs: new AccessLogReceiver(this.registry, this.controlPoints, this.metrics, {
        budget: {
          admit: (records, peerIp) => {
            const admitted = logBudget.admit(records, peerIp);
            this.metrics.accessLogPeers.set(logBudget.activePeers);
            return admitted;
          },
        },
        verifier: new RecordVerifier({
          keys: this.recordKeys.ring,
          wallClockMs,
          acceptV1Records: config.acceptV1Records,
          maxRecordAgeMs: config.maxRecordAgeMs,
        }),
      }),
      metrics: this.metrics,
      logger: this.logger,
      defaultControlPoint: config.defaultControlPoint,
      maxReceiveMessageBytes: grpcReceiveLimitBytes(config),
      maxConcurrentStreams: config.maxConcurrentStreams,
    });
    this.http = new AgentHttpServer({
      metrics: this.metrics,
      controlPoints: this.controlPoints,
      agentGroup: config.agentGroup,
      ready: () => this.serving && !this.draining,
    });
    this.metrics.trackSchedulers(() => this.registry.allLoadSchedulers(), clock);
    this.controllerLink =
      config.controller === undefined
        ? undefined
        : new ControllerLink({
            address: config.controller,
            agentId: options.agentId ?? `${hostname()}-${process.pid}`,
            hostname: hostname(),
            agentGroup: config.agentGroup,
            clock,
            random: options.random ?? systemRandom,
            registry: this.registry,
            controlPoints: this.controlPoints,
            previews: this.previews,
            metrics: this.metrics,
            logger: this.logger,
            reportIntervalMs: options.reportIntervalMs ?? 1000,
            capabilities: this.redis ? ['preview', 'rate-limiter-redis'] : ['preview'],
            ...(config.controllerTokenFile !== undefined
              ? { credential: controllerTokenReader(config.controllerTokenFile, this.logger) }
              : {}),
          });
  }

  async start(): Promise<{ grpcPort: number; httpPort: number }> {
    const host = this.options.host ?? this.options.config.bindAddress;
    this.lag.start();
    const grpcPort = await this.grpc.listen(host, this.options.config.grpcPort);
    const httpPort = await this.http.listen(host, this.options.config.httpPort);
    this.recordKeys.start();
    this.serving = true;
    this.controllerLink?.start();
    this.logger.log('info', 'agent serving', {
      grpcPort,
      httpPort,
      controller: this.options.config.controller ?? null,
      redis: this.redis !== undefined,
    });
    return { grpcPort, httpPort };
  }

  /**
   * Fails readiness at once, keeps serving for `drainDelaySeconds` (Envoy and kube-proxy take the endpoint
   * out meanwhile; Kubernetes before 1.30 has no preStop sleep to do this wait), then stops accepting, sends
   * GOAWAY, drains in-flight Checks and closes everything.
   */
  async stop(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const delayMs = this.options.config.drainDelaySeconds * 1000;
    this.logger.log('info', 'draining', { delayMs });
    if (delayMs > 0) await new Promise<void>((resolve) => this.clock.setTimer(delayMs, resolve));
    this.controllerLink?.stop();
    this.recordKeys.stop();
    await this.grpc.drain(this.options.drainGraceMs ?? 10_000);
    await this.http.close();
    this.previews.clear();
    await this.redis?.close();
    this.lag.stop();
    this.serving = false;
  }
}
