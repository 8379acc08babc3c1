import { credentials, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { SYNC_MAX_MESSAGE_BYTES, type AgentMessage, type ControllerMessage, type syncV1 } from '@sluice/spec';
import { agentSyncClientConstructor, notLeaderRefusal, type AgentSyncClient } from '@sluice/spec/protos';
import type { Clock, RandomSource, TimerHandle } from '@sluice/clock';
import type { ComponentRegistry } from '../components/component-registry.js';
import type { ControlPointRegistry } from '../control-points/control-point-registry.js';
import type { AgentLogger } from '../logging/agent-logger.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';
import type { PreviewAnswer, PreviewRegistry } from '../preview/preview-registry.js';
import { controllerCallMetadata } from './controller-credential.js';
import { parseComponents, previewSpec } from './controller-messages.js';
import { splitReport } from './report-splitter.js';
import { DEFAULT_BACKOFF_MAX_MS, ReconnectBackoff, type BackoffOptions } from './reconnect-backoff.js';

export interface ControllerLinkOptions {
  /**
   * The controller's AgentSync address as a gRPC target: `HOST:PORT`, or a target naming every replica
   * (`dns:///HOST:PORT` for a headless Service, `ipv4:IP:PORT,IP:PORT`), which the link balances its
   * Connects over round robin to find the leader.
   */
  readonly address: string;
  readonly agentId: string;
  /** Node the agent runs on. @default the agent id */
  readonly hostname?: string;
  readonly agentGroup: string;
  readonly version?: string;
  readonly capabilities: readonly string[];
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly registry: ComponentRegistry;
  readonly controlPoints: ControlPointRegistry;
  readonly previews: PreviewRegistry;
  readonly metrics: AgentMetrics;
  readonly logger: AgentLogger;
  /** @default 1000 */
  readonly reportIntervalMs?: number;
  readonly backoff?: BackoffOptions;
  /** Wall clock (epoch ms) for report timestamps. @default Date.now */
  readonly wallClockMs?: () => number;
  /**
   * The token sent as `authorization: Bearer <token>`, asked for on every Connect attempt (a projected
   * token is rotated by kubelet). @default none sent
   */
  readonly credential?: () => string | undefined;
}

/**
 * `backoff`: waiting after a failure (full jitter); `refused`: waiting briefly after a replica that is
 * not the leader refused the Connect, before trying the next one.
 */
export type LinkState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'refused' | 'stopped';

/**
 * gRPC channel options of the AgentSync client. `round_robin` spreads Connects over every address the
 * target resolves to (one per controller replica behind a headless Service), so after a not-leader
 * refusal the next Connect goes to another replica; `pick_first`, gRPC's default, would stay on the
 * first. The service config is the channel's own (no DNS TXT lookups), names are re-resolved at most
 * every 5 s (a replaced pod comes back under a new address), and gRPC's own reconnect backoff is capped
 * like the link's, so a controller that restarts is dialled again within seconds.
 */
export function controllerChannelOptions(maxBackoffMs: number): Record<string, string | number> {
  return {
    'grpc.keepalive_time_ms': 20_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    'grpc.service_config_disable_resolution': 1,
    'grpc.dns_min_time_between_resolutions_ms': 5000,
    'grpc.max_reconnect_backoff_ms': maxBackoffMs,
    // The controller refuses (and so ends the stream on) anything larger; reports are split below it.
    'grpc.max_send_message_length': SYNC_MAX_MESSAGE_BYTES,
  };
}

/**
 * The agent's side of AgentSync: hello, then a report every tick; applies components and
 * decisions; answers previews. A lost stream is retried with full-jitter backoff; a Connect refused by
 * a replica that is not the leader is retried soon, on the next replica (see `ReconnectBackoff`).
 * Without a controller the agent keeps what it has: decisions lapse by TTL (pass-through), limiters
 * keep their configured limits.
 */
export class ControllerLink {
  private readonly client: AgentSyncClient;
  /** Serialized size of an AgentMessage, as the channel will send it. */
  private readonly messageBytes: (message: AgentMessage) => number;
  private stream: ClientDuplexStream<AgentMessage, ControllerMessage> | undefined;
  private current: LinkState = 'idle';
  private readonly backoff: ReconnectBackoff;
  private sequence = 0;
  private reportTimer: TimerHandle | undefined;
  private reconnectTimer: TimerHandle | undefined;
  private lastReportMs: number;
  readonly history: LinkState[] = ['idle'];

  constructor(private readonly options: ControllerLinkOptions) {
    const Client = agentSyncClientConstructor();
    this.client = new Client(
      options.address,
      credentials.createInsecure(),
      controllerChannelOptions(options.backoff?.maxMs ?? DEFAULT_BACKOFF_MAX_MS),
    );
    const serialize = Client.service.Connect.requestSerialize;
    this.messageBytes = (message) => serialize(message).length;
    this.backoff = new ReconnectBackoff(options.random, options.backoff);
    this.lastReportMs = options.clock.now();
  }

  get state(): LinkState {
    return this.current;
  }

  private transition(allowedFrom: readonly LinkState[], to: LinkState): void {
    if (!allowedFrom.includes(this.current))
      throw new Error(`controller link: transition ${this.current} → ${to} is not allowed`);
    const from = this.current;
    this.current = to;
    this.history.push(to);
    // A failover may take a few refusals a second for several seconds: those transitions are debug.
    const level = to === 'backoff' ? 'warn' : to === 'refused' || from === 'refused' ? 'debug' : 'info';
    this.options.logger.log(level, 'controller link', { from, to, address: this.options.address });
    switch (to) {
      case 'connected':
        this.options.metrics.controllerConnected.set(1);
        break;
      case 'backoff':
      case 'refused':
      case 'stopped':
        this.options.metrics.controllerConnected.set(0);
        this.options.previews.clear();
        break;
      default:
        break;
    }
  }

  start(): void {
    this.connect();
    this.scheduleReport();
  }

  stop(): void {
    if (this.current === 'stopped') return;
    this.transition(['idle', 'connecting', 'connected', 'backoff', 'refused'], 'stopped');
    this.reportTimer?.cancel();
    this.reconnectTimer?.cancel();
    this.stream?.cancel();
    this.stream = undefined;
    this.client.close();
  }

  private connect(): void {
    this.transition(['idle', 'backoff', 'refused'], 'connecting');
    const stream = this.client.Connect(controllerCallMetadata(this.options.credential?.()));
    this.stream = stream;
    this.sequence = 0;
    let closed = false;
    const onClose = (reason: string, error?: ServiceError) => {
      if (closed || this.stream !== stream) return;
      closed = true;
      this.stream = undefined;
      if (this.current === 'stopped') return;
      const refusal = error === undefined ? undefined : notLeaderRefusal(error);
      const next = this.backoff.next(refusal !== undefined ? 'not-leader' : 'failure');
      if (next.kind === 'not-leader') {
        // The first refusal of a run says so once; the rest of a failover's retries are debug.
        this.options.logger.log(
          next.refusals === 1 ? 'info' : 'debug',
          'controller replica is not the leader; trying another',
          { leader: refusal?.leader ?? null, refusals: next.refusals, reconnectInMs: next.delayMs },
        );
      } else {
        this.options.logger.log('warn', 'controller stream closed', {
          reason,
          reconnectInMs: next.delayMs,
          ...(refusal !== undefined ? { refusedAsNotLeader: true, leader: refusal.leader ?? null } : {}),
        });
      }
      const waiting: LinkState = next.kind === 'not-leader' ? 'refused' : 'backoff';
      this.transition(['connecting', 'connected'], waiting);
      this.reconnectTimer = this.options.clock.setTimer(next.delayMs, () => {
        if (this.current === waiting) this.connect();
      });
    };
    stream.on('data', (message: ControllerMessage) => this.receive(message));
    stream.on('error', (error: ServiceError) => onClose(error.message, error));
    stream.on('end', () => onClose('controller ended the stream'));
    stream.write({
      payload: 'hello',
      hello: {
        agent_id: this.options.agentId,
        hostname: this.options.hostname ?? this.options.agentId,
        agent_group: this.options.agentGroup,
        version: this.options.version ?? '0.1.0',
        capabilities: [...this.options.capabilities],
      },
    });
  }

  private receive(message: ControllerMessage): void {
    if (this.current === 'connecting') {
      this.transition(['connecting'], 'connected');
      this.backoff.reset();
    }
    const payload = message.payload ?? 'unknown';
    this.options.metrics.controllerMessages.inc({ payload });
    switch (message.payload) {
      case 'components':
        this.applyComponents(message.components);
        break;
      case 'decisions':
        this.applyDecisions(message.decisions);
        break;
      case 'preview_request':
        this.options.previews.start(previewSpec(message.preview_request), (answer) =>
          this.answerPreview(answer),
        );
        break;
      case 'preview_cancel':
        this.options.previews.cancel(message.preview_cancel.request_id ?? '');
        break;
      default:
        this.options.logger.log('warn', 'unknown controller message ignored');
    }
  }

  private applyComponents(message: syncV1.Components): void {
    const { policies, rejected } = parseComponents(message);
    for (const policy of rejected) {
      this.options.metrics.policyErrors.inc({ policy_name: policy.policyName });
      this.options.logger.log('error', 'policy rejected; keeping its last good version', {
        policy: policy.policyName,
        error: policy.error,
      });
    }
    const result = this.options.registry.replaceAll(
      policies,
      rejected.map((policy) => policy.policyName),
    );
    for (const failure of result.failed) {
      this.options.metrics.policyErrors.inc({ policy_name: failure.policyName });
      this.options.logger.log('error', 'policy could not be built; keeping its last good version', {
        policy: failure.policyName,
        error: failure.error,
      });
    }
    if (result.redisUnavailable > 0)
      this.options.logger.log('warn', 'redis-backed rate limiters run on local buckets: no --redis-url', {
        count: result.redisUnavailable,
      });
    this.options.metrics.policies.set(this.options.registry.policyNames.length);
  }

  private applyDecisions(message: syncV1.Decisions): void {
    for (const decision of message.decisions ?? []) {
      const outcome = this.options.registry.applyDecision(
        decision.policy_name ?? '',
        decision.component_id ?? '',
        {
          policyHash: decision.policy_hash ?? '',
          loadMultiplier: decision.load_multiplier ?? 0,
          passThrough: decision.pass_through ?? false,
          ttlMs: decision.ttl_ms ?? 0,
        },
      );
      this.options.metrics.decisionEvents.inc({
        policy_name: decision.policy_name ?? '',
        component_id: decision.component_id ?? '',
        outcome,
      });
    }
  }

  private answerPreview(answer: PreviewAnswer): void {
    const message: AgentMessage = {
      payload: 'preview_samples',
      preview_samples: {
        request_id: answer.requestId,
        flow_labels: answer.flowLabels.map((labels) => ({ labels })),
        http_requests_json: answer.httpRequests,
        done: true,
        ...(answer.error === undefined ? {} : { error: answer.error }),
      },
    };
    // Previews cap their sample bytes well below the limit; this guard keeps the stream up regardless.
    const bytes = this.messageBytes(message);
    if (bytes > SYNC_MAX_MESSAGE_BYTES) {
      this.options.metrics.previewsRefused.inc({ reason: 'sample-bytes' });
      this.stream?.write({
        payload: 'preview_samples',
        preview_samples: {
          request_id: answer.requestId,
          done: true,
          error: `preview answer of ${bytes} bytes exceeds the AgentSync message limit of ${SYNC_MAX_MESSAGE_BYTES} bytes; ask for fewer samples`,
        },
      });
      return;
    }
    this.stream?.write(message);
  }

  private scheduleReport(): void {
    this.reportTimer = this.options.clock.setTimer(this.options.reportIntervalMs ?? 1000, () => {
      if (this.current === 'stopped') return;
      this.report();
      this.scheduleReport();
    });
  }

  /** Builds the tick's report. Counters are drained even when disconnected, so a reconnect starts fresh. */
  buildReport(): syncV1.Report {
    const now = this.options.clock.now();
    const interval = Math.max(0, Math.round(now - this.lastReportMs));
    this.lastReportMs = now;
    const flux_meters: syncV1.FluxMeterDelta[] = [];
    for (const meter of this.options.registry.allFluxMeters()) {
      const series = meter.histogram.drain();
      if (series.length === 0) continue;
      flux_meters.push({
        flux_meter_name: meter.config.name,
        bucket_bounds_ms: [...meter.histogram.boundsMs],
        series: series.map((entry) => ({
          labels: { ...entry.labels },
          count: entry.count,
          latency_sum_ms: entry.latencySumMs,
          bucket_counts: entry.bucketCounts,
        })),
      });
    }
    const token_counters: syncV1.TokenCounterDelta[] = [];
    for (const scheduler of this.options.registry.allLoadSchedulers()) {
      const counts = scheduler.drainCounts();
      if (counts.size === 0) continue;
      token_counters.push({
        policy_name: scheduler.identity.policyName,
        policy_hash: scheduler.identity.policyHash,
        component_id: scheduler.identity.componentId,
        workloads: [...counts].map(([workload, c]) => ({
          workload,
          incoming_tokens: c.incoming,
          accepted_tokens: c.accepted,
          rejected_tokens: c.rejected,
        })),
      });
    }
    return {
      sequence: ++this.sequence,
      agent_time_ms: this.options.wallClockMs?.() ?? this.options.clock.wallNow(),
      interval_ms: interval,
      flux_meters,
      token_counters,
      control_points: this.options.controlPoints.drainRecent().map((entry) => ({
        service: entry.service,
        control_point: entry.controlPoint,
        type:
          entry.type === 'grpc'
            ? 'CONTROL_POINT_TYPE_GRPC'
            : entry.type === 'feature'
              ? 'CONTROL_POINT_TYPE_FEATURE'
              : 'CONTROL_POINT_TYPE_HTTP',
      })),
    };
  }

  private report(): void {
    // Decisions lapse on the agent's clock even when no flow arrives to notice.
    for (const scheduler of this.options.registry.allLoadSchedulers()) scheduler.expireDecision();
    const report = this.buildReport();
    if (this.current === 'connected' || this.current === 'connecting') this.sendReport(report);
    else this.sequence = 0;
  }

  /**
   * Writes a report as one message, or as several when one would pass SYNC_MAX_MESSAGE_BYTES (the
   * controller ends a stream on a message past its limit): each part numbered in sequence, counted;
   * an entry too large for any message is left out and counted.
   */
  private sendReport(report: syncV1.Report): void {
    const { parts, dropped } = splitReport(report, SYNC_MAX_MESSAGE_BYTES, (part) =>
      this.messageBytes({ payload: 'report', report: part }),
    );
    for (const { kind, count } of dropped) this.options.metrics.reportEntriesDropped.inc({ kind }, count);
    if (parts.length > 1) this.options.metrics.reportsSplit.inc();
    parts.forEach((part, index) => {
      const sequence = index === 0 ? (report.sequence ?? this.sequence) : ++this.sequence;
      this.stream?.write({ payload: 'report', report: { ...part, sequence } });
    });
  }
}
