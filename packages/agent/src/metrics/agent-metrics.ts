import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { DEFAULT_FLUX_METER_BUCKETS_MS } from '../access-log/flux-meter-histogram.js';
import type { Clock } from '@sluice/clock';
import type { LoadScheduler } from '../load-scheduler/load-scheduler.js';
import { SeriesCounter } from './series-counter.js';
import { SeriesHistogram } from './series-histogram.js';
import { DEFAULT_MAX_SERIES, SeriesMetric } from './series-metric.js';

/**
 * Every metric the agent exports, on a registry of its own (several agents can share a process in
 * tests). Names and labels are documented in the package README; keep both in step.
 *
 * Metrics updated per Check or per access-log record are SeriesCounter / SeriesHistogram: the same
 * output as prom-client's, but a caller can resolve a labelled series once and update it without
 * prom-client's per-call label validation and hashing (see CheckMetrics). The rest stay prom-client's.
 */
export class AgentMetrics {
  readonly registry = new Registry();

  readonly checkDuration = new SeriesHistogram({
    name: 'sluice_agent_check_duration_seconds',
    help: 'Time from receiving a Check to answering it, queueing included, by decision.',
    labelNames: ['decision'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly checks = new SeriesCounter({
    name: 'sluice_agent_checks_total',
    help: 'Checks answered, by control point and decision (accepted, rejected).',
    labelNames: ['control_point', 'decision'] as const,
    registers: [this.registry],
  });

  readonly checkErrors = new Counter({
    name: 'sluice_agent_check_errors_total',
    help: 'Checks answered with a gRPC error (Envoy then fails open), by reason: missing-control-point, invalid-control-point, undecodable, internal.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly deadlineMisses = new Counter({
    name: 'sluice_agent_check_deadline_misses_total',
    help: 'Checks answered after the gRPC deadline Envoy set (Envoy had already failed open).',
    registers: [this.registry],
  });

  readonly eventLoopLag = new Gauge({
    name: 'sluice_agent_event_loop_lag_seconds',
    help: 'Recent event-loop lag estimate; queue timeouts are shortened by it.',
    registers: [this.registry],
  });

  readonly componentDecisions = new SeriesCounter({
    name: 'sluice_agent_component_decisions_total',
    help: 'Per-component verdicts, by policy, component, kind, decision, reason and dry_run.',
    labelNames: ['policy_name', 'component_id', 'kind', 'decision', 'reason', 'dry_run'] as const,
    registers: [this.registry],
  });

  readonly componentFailures = new SeriesCounter({
    name: 'sluice_agent_component_failures_total',
    help: 'Components that threw while deciding; the flow was admitted (fail open).',
    labelNames: ['policy_name', 'component_id'] as const,
    registers: [this.registry],
  });

  readonly rateLimiterDecisionSource = new SeriesCounter({
    name: 'sluice_agent_rate_limiter_decision_source_total',
    help: 'Rate-limiter bucket decisions by backend: redis, local, or fallback (local bucket used because a Redis call failed).',
    labelNames: ['policy_name', 'component_id', 'source'] as const,
    registers: [this.registry],
  });

  readonly schedulerTokens = new SeriesCounter({
    name: 'sluice_agent_scheduler_tokens_total',
    help: 'Load-scheduler tokens by workload and stage: incoming, accepted, rejected.',
    labelNames: ['policy_name', 'component_id', 'workload', 'stage'] as const,
    registers: [this.registry],
  });

  readonly queueWait = new SeriesHistogram({
    name: 'sluice_agent_scheduler_queue_wait_seconds',
    help: 'Time flows waited in a load-scheduler queue, by workload and decision.',
    labelNames: ['policy_name', 'component_id', 'workload', 'decision'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly decisionEvents = new SeriesCounter({
    name: 'sluice_agent_load_decisions_total',
    help: 'Load decisions received or lapsed, by outcome: applied, applied-clamped, pass-through, stale-hash, unknown-component, expired.',
    labelNames: ['policy_name', 'component_id', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly fluxMeter = new SeriesHistogram({
    name: 'sluice_agent_flux_meter_ms',
    help: 'Flow latency in ms (response duration minus ext_authz duration) per flux meter; default Aperture buckets.',
    labelNames: [
      'flux_meter_name',
      'policy_name',
      'decision_type',
      'http_status_code',
      'flow_status',
      'stalled',
    ] as const,
    buckets: [...DEFAULT_FLUX_METER_BUCKETS_MS],
    registers: [this.registry],
  });

  readonly fluxMeterInvalid = new SeriesCounter({
    name: 'sluice_agent_flux_meter_invalid_total',
    help: 'Flows a flux meter could not observe (no ext_authz duration, negative latency, meter gone).',
    labelNames: ['flux_meter_name', 'policy_name', 'reason'] as const,
    registers: [this.registry],
  });

  readonly accessLogRecords = new SeriesCounter({
    name: 'sluice_agent_access_log_records_total',
    help: 'OTLP access-log records by outcome: flow, no-decision (authz did not run), malformed (dropped).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly accessLogRecordsRejected = new Counter({
    name: 'sluice_agent_access_log_records_rejected_total',
    help: 'OTLP access-log records dropped as malformed, by reason: decision-record (not a decision this agent wrote), attribute-type (not a scalar), attribute-value (not a number, or a negative duration).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly accessLogRecordsDropped = new Counter({
    name: 'sluice_agent_access_log_records_dropped_total',
    help: 'OTLP access-log records dropped unread because they came faster than accessLogMaxRecordsPerSecond.',
    registers: [this.registry],
  });

  readonly accessLogExportsRejected = new Counter({
    name: 'sluice_agent_access_log_exports_rejected_total',
    help: 'OTLP Export requests refused whole with INVALID_ARGUMENT, by reason: undecodable (not an ExportLogsServiceRequest), unreadable.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly accessLogRecordsRefused = new Counter({
    name: 'sluice_agent_access_log_records_refused_total',
    help: 'OTLP access-log records whose decision record did not verify, by reason: v1-record (unsigned; acceptV1Records off), unknown-key, bad-mac (altered, forged, or sent from another peer than the Check), expired, future-start, replayed, implausible-duration, implausible-authz-duration, nonce-memory-full. None reaches a flux meter.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly accessLogRecordsOverPeerShare = new Counter({
    name: 'sluice_agent_access_log_records_over_peer_share_total',
    help: 'OTLP access-log records dropped unread because their sender was past its share while the budget was contended (also counted in access_log_records_dropped_total).',
    registers: [this.registry],
  });

  readonly accessLogPeers = new Gauge({
    name: 'sluice_agent_access_log_peers',
    help: 'Senders (peer IPs) of access logs in the last 10 s, among which the access-log budget is shared.',
    registers: [this.registry],
  });

  readonly accessLogNonces = new Gauge({
    name: 'sluice_agent_access_log_nonces',
    help: 'Nonces of accepted decision records remembered to refuse replays (16 to 32 bytes each).',
    registers: [this.registry],
  });

  readonly recordKeyEphemeral = new Gauge({
    name: 'sluice_agent_record_key_ephemeral',
    help: '1 while decision records are signed with an ephemeral key (recordKeyFile unset, missing or unusable): no other agent can verify them.',
    registers: [this.registry],
  });

  readonly recordKeyReloads = new Counter({
    name: 'sluice_agent_record_key_reloads_total',
    help: 'Reads of recordKeyFile that changed the key or failed, by outcome: rotated, missing, unreadable, invalid (the key in use stays).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly classifierMisses = new SeriesCounter({
    name: 'sluice_agent_classifier_misses_total',
    help: 'Classifier rules that produced no label, by reason.',
    labelNames: ['policy_name', 'label', 'reason'] as const,
    registers: [this.registry],
  });

  readonly redisCalls = new Counter({
    name: 'sluice_agent_redis_calls_total',
    help: 'Redis rate-limit calls by outcome: ok, error, timeout, circuit-open, negative-cache.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly redisCircuitOpen = new Gauge({
    name: 'sluice_agent_redis_circuit_open',
    help: '1 while the Redis circuit breaker is open or half-open (limits are enforced per agent).',
    registers: [this.registry],
  });

  readonly controllerConnected = new Gauge({
    name: 'sluice_agent_controller_connected',
    help: '1 while the AgentSync stream to the controller is up.',
    registers: [this.registry],
  });

  readonly controllerMessages = new Counter({
    name: 'sluice_agent_controller_messages_total',
    help: 'Messages received from the controller, by payload.',
    labelNames: ['payload'] as const,
    registers: [this.registry],
  });

  readonly policyErrors = new SeriesCounter({
    name: 'sluice_agent_policy_errors_total',
    help: 'Policies whose components could not be parsed or built; the last good version stays active.',
    labelNames: ['policy_name'] as const,
    registers: [this.registry],
  });

  readonly policies = new Gauge({
    name: 'sluice_agent_policies',
    help: 'Policies currently applied.',
    registers: [this.registry],
  });

  /** Updates to a capped series metric that had no room for another label set; counted, not exported. */
  readonly metricSeriesOverflow = new SeriesCounter({
    name: 'sluice_agent_metric_series_overflow_total',
    help: 'Updates not exported because their metric already held its most series (label values chosen by clients or peers), by metric.',
    labelNames: ['metric'] as const,
    registers: [this.registry],
  });

  readonly serviceNamesRefused = new SeriesCounter({
    name: 'sluice_agent_service_names_refused_total',
    help: 'Service names (Envoy destination service or request host) left out of a flow because they are not valid names; the Check goes on without them.',
    registers: [this.registry],
  });

  readonly controlPointsDropped = new SeriesCounter({
    name: 'sluice_agent_control_points_dropped_total',
    help: 'Control point / service pairs not recorded because the discovery registry held its most entries.',
    registers: [this.registry],
  });

  readonly baggageRefused = new SeriesCounter({
    name: 'sluice_agent_baggage_members_refused_total',
    help: 'Baggage members ignored, by reason: reserved (a label the agent derives itself: http.*, the control point, the service), tokens (a tokens label a policy does not let baggage set).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly reportsSplit = new SeriesCounter({
    name: 'sluice_agent_reports_split_total',
    help: 'Reports to the controller sent as several messages because one would have passed the AgentSync message limit.',
    registers: [this.registry],
  });

  readonly reportEntriesDropped = new SeriesCounter({
    name: 'sluice_agent_report_entries_dropped_total',
    help: 'Report entries left out because a single entry would pass the AgentSync message limit, by kind: flux-meter, token-counter, control-point.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly previewsRefused = new SeriesCounter({
    name: 'sluice_agent_previews_refused_total',
    help: 'Previews refused or cut short, by reason: concurrency (previewMaxConcurrent running), sample-bytes (previewMaxSampleBytes reached), invalid (an unusable request).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private schedulers: () => readonly LoadScheduler[] = () => [];
  private schedulerClock: Clock | undefined;

  /** Load-scheduler state, read at scrape time. */
  readonly schedulerState = new Gauge({
    name: 'sluice_agent_scheduler_state',
    help: 'Load-scheduler state at scrape time by field: load_multiplier (-1 in pass-through), fill_rate_tokens_per_second, available_tokens, incoming_tokens_per_second, queued_requests, bootstrapping (0/1).',
    labelNames: ['policy_name', 'component_id', 'field'] as const,
    registers: [this.registry],
    collect: () => this.collectSchedulers(),
  });

  /** Tells the metrics where the running load schedulers are (the registry changes them). */
  trackSchedulers(schedulers: () => readonly LoadScheduler[], clock: Clock): void {
    this.schedulers = schedulers;
    this.schedulerClock = clock;
  }

  private collectSchedulers(): void {
    this.schedulerState.reset();
    const clock = this.schedulerClock;
    if (clock === undefined) return;
    const now = clock.now();
    for (const scheduler of this.schedulers()) {
      const labels = {
        policy_name: scheduler.identity.policyName,
        component_id: scheduler.identity.componentId,
      };
      const bucket = scheduler.bucket;
      this.schedulerState.set({ ...labels, field: 'load_multiplier' }, bucket.currentLoadMultiplier ?? -1);
      this.schedulerState.set(
        { ...labels, field: 'fill_rate_tokens_per_second' },
        bucket.fillRatePerSecond(now),
      );
      this.schedulerState.set({ ...labels, field: 'available_tokens' }, bucket.availableTokens(now));
      this.schedulerState.set(
        { ...labels, field: 'incoming_tokens_per_second' },
        bucket.counter.ratePerSecond(now),
      );
      this.schedulerState.set({ ...labels, field: 'queued_requests' }, scheduler.queue.pending);
      this.schedulerState.set(
        { ...labels, field: 'bootstrapping' },
        bucket.counter.bootstrapping(now) ? 1 : 0,
      );
    }
  }

  constructor(
    options: {
      readonly processMetrics?: boolean;
      /** Series each labelled series metric holds at most. @default DEFAULT_MAX_SERIES */
      readonly maxSeriesPerMetric?: number;
    } = {},
  ) {
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'sluice_agent_' });
    this.limitSeries(options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES);
  }

  /** Caps every series metric on the registry (the overflow counter's labels are metric names, bounded). */
  private limitSeries(maxSeries: number): void {
    const overflow = {
      overflowed: (metric: string) => this.metricSeriesOverflow.inc({ metric }),
    };
    for (const metric of this.registry.getMetricsAsArray() as unknown[]) {
      if (metric instanceof SeriesMetric && metric !== this.metricSeriesOverflow)
        metric.limitSeries({ maxSeries, overflow });
    }
  }
}
