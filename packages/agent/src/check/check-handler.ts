import type { Clock } from '@sluice/clock';
import { classify, LazyJsonBody, type ClassifiedLabel } from '../classification/classifier.js';
import type { ComponentRegistry } from '../components/component-registry.js';
import type { ControlPointRegistry } from '../control-points/control-point-registry.js';
import { admitBaggage, appendBaggage, parseBaggage } from '../flow-labels/baggage.js';
import { mergeFlowLabels, overlayFlowLabels, telemetryLabels } from '../flow-labels/flow-labels.js';
import { requestLabels } from '../flow-labels/request-labels.js';
import type { AgentLogger } from '../logging/agent-logger.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';
import { CheckMetrics } from '../metrics/check-metrics.js';
import { runPipeline, type PipelineResult } from '../pipeline/flow-pipeline.js';
import type { PreviewRegistry } from '../preview/preview-registry.js';
import { flowServices, type FlowTarget } from '../selection/flow-target.js';
import { buildCheckResponse, type CheckResponseMessage } from './check-response.js';
import type { ParsedCheck } from './check-request.js';
import type { RandomBytePool } from '../record-key/random-byte-pool.js';
import type { RecordKeyRing } from '../record-key/record-key-ring.js';
import { DecisionRecordEncoder } from './decision-record-encoder.js';

export interface CheckHandlerOptions {
  readonly clock: Clock;
  /** Wall clock in epoch ms, for the record's start time only. */
  readonly wallClockMs: () => number;
  readonly agentGroup: string;
  readonly registry: ComponentRegistry;
  readonly controlPoints: ControlPointRegistry;
  readonly previews: PreviewRegistry;
  readonly metrics: AgentMetrics;
  readonly logger?: AgentLogger;
  /** Current event-loop lag estimate in ms. */
  readonly lagMs: () => number;
  /**
   * Lower-case names of headers whose values are credentials: labels classifiers take from them are
   * redacted in telemetry and previews, and never propagated. @default none
   */
  readonly redactedHeaders?: ReadonlySet<string>;
  /** Keys that sign decision records (the access-log path verifies with the same ring). @default one ephemeral key */
  readonly recordKeys?: RecordKeyRing;
  /** Random bytes for record nonces. @default a pool filled by crypto.randomFillSync */
  readonly random?: RandomBytePool;
}

/**
 * One Check, start to finish: labels (request < baggage < classifiers), selection, the pipeline,
 * metrics, and the response with its decision metadata. Transport-free: the gRPC adapter parses
 * the message and the control point and passes the absolute deadline on this clock.
 */
export class CheckHandler {
  private readonly counters: CheckMetrics;
  private readonly records: DecisionRecordEncoder;

  constructor(private readonly options: CheckHandlerOptions) {
    this.counters = new CheckMetrics(options.metrics);
    this.records = new DecisionRecordEncoder({
      ...(options.recordKeys === undefined ? {} : { keys: options.recordKeys }),
      ...(options.random === undefined ? {} : { random: options.random }),
    });
  }

  /**
   * Decides one Check. `peerIp` is the IP of the gRPC peer that sent it (see peerIpOf): the
   * decision record is signed for it, and only an access log from that IP is read.
   */
  async handle(
    check: ParsedCheck,
    controlPoint: string,
    deadlineMs: number | undefined,
    peerIp = 'unknown',
  ): Promise<CheckResponseMessage> {
    const { clock, registry, metrics } = this.options;
    const startMs = clock.now();
    const startedAtMs = this.options.wallClockMs();
    const target: FlowTarget = {
      controlPoint,
      services: flowServices(check.destinationService, check.http.host, () =>
        metrics.serviceNamesRefused.inc(),
      ),
      agentGroup: this.options.agentGroup,
    };
    // Header and size labels are never exported, so they are derived only when something reads them.
    const fromRequest = requestLabels(
      check.http,
      registry.readsRequestOnlyLabels || this.options.previews.size > 0 ? 'all' : 'telemetry',
    );
    // Baggage is the client's words: never a label the agent derives, never a cost no policy opened to it.
    const fromBaggage = admitBaggage(
      parseBaggage(check.http.headers.baggage),
      registry.tokenKeysClosedToBaggage,
      (reason) => metrics.baggageRefused.inc({ reason }),
    );
    const labels = mergeFlowLabels(fromRequest, fromBaggage);
    const classified: ClassifiedLabel[] = [];
    const body = new LazyJsonBody(check.http);
    // Classifiers are selected on the request and baggage labels only; their labels go on top after.
    const redactedHeaders = this.options.redactedHeaders;
    for (const classifier of registry.classifiersFor(target, labels.values)) {
      const result = classify(classifier, check.http, body);
      for (const label of result.labels)
        classified.push(
          // A label copied from a credential header is a credential: redacted wherever it leaves.
          label.sourceHeader !== undefined && redactedHeaders?.has(label.sourceHeader) === true
            ? { ...label, redacted: true }
            : label,
        );
      for (const miss of result.misses)
        this.counters.countClassifierMiss(classifier.policyName, miss.label, miss.reason);
    }
    overlayFlowLabels(labels, classified);
    this.options.previews.offer({
      controlPoint,
      services: target.services,
      labels: labels.values,
      ...(labels.redacted !== undefined && labels.redacted.size > 0
        ? { redactedLabels: labels.redacted }
        : {}),
      http: check.http,
    });
    for (const service of target.services.length > 0 ? target.services : [''])
      this.options.controlPoints.record({ controlPoint, service, type: 'http' });

    const selected = registry.select(target, labels.values);
    const pipeline = runPipeline(
      selected,
      { labels: labels.values, deadlineMs, lagMs: this.options.lagMs() },
      (component, error) => {
        this.counters.countFailure(component.identity);
        // Debug only: a failing backend fails every flow, and the counter above is the alert signal.
        this.options.logger?.log('debug', 'component failed; flow admitted', {
          policy: component.identity.policyName,
          component: component.identity.componentId,
          error: error instanceof Error ? error.message : String(error),
        });
      },
    );
    // Most Checks are decided synchronously; awaiting only a pending pipeline saves a microtask each.
    const result: PipelineResult = pipeline instanceof Promise ? await pipeline : pipeline;
    const decision = result.kind === 'admit' ? 'accepted' : 'rejected';
    for (const componentDecision of result.decisions) this.counters.countDecision(componentDecision);
    const endMs = clock.now();
    const encodedRecord = this.records.encode(
      {
        controlPoint,
        services: target.services,
        decision,
        decisions: result.decisions,
        fluxMeters: selected.fluxMeters.map((meter) => meter.config),
        labels: telemetryLabels(labels),
        startedAtMs,
        processingMs: Math.round((endMs - startMs) * 1000) / 1000,
      },
      peerIp,
    );
    // Redacted labels are never propagated: the next hop would log them as baggage.
    const propagated = classified.filter((label) => label.propagate && label.redacted !== true);
    const response = buildCheckResponse({
      result,
      controlPoint,
      encodedRecord,
      baggage: result.kind === 'admit' ? appendBaggage(check.http.headers.baggage, propagated) : undefined,
    });
    this.counters.countCheck(controlPoint, decision, (endMs - startMs) / 1000);
    if (deadlineMs !== undefined && endMs > deadlineMs) metrics.deadlineMisses.inc();
    return response;
  }
}
