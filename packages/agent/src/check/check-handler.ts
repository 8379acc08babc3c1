import type { Clock } from '../clock/clock.js';
import { classify, LazyJsonBody, type ClassifiedLabel } from '../classification/classifier.js';
import type { ComponentRegistry } from '../components/component-registry.js';
import type { ControlPointRegistry } from '../control-points/control-point-registry.js';
import { appendBaggage, parseBaggage } from '../flow-labels/baggage.js';
import { mergeFlowLabels, telemetryLabels } from '../flow-labels/flow-labels.js';
import { requestLabels } from '../flow-labels/request-labels.js';
import type { AgentLogger } from '../logging/agent-logger.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';
import { runPipeline, type PipelineResult } from '../pipeline/flow-pipeline.js';
import type { PreviewRegistry } from '../preview/preview-registry.js';
import { flowServices, type FlowTarget } from '../selection/flow-target.js';
import { buildCheckResponse, type CheckResponseMessage } from './check-response.js';
import type { ParsedCheck } from './check-request.js';
import { componentRecords, type DecisionRecord } from './decision-record.js';

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
}

/**
 * One Check, start to finish: labels (request < baggage < classifiers), selection, the pipeline,
 * metrics, and the response with its decision metadata. Transport-free: the gRPC adapter parses
 * the message and the control point and passes the absolute deadline on this clock.
 */
export class CheckHandler {
  constructor(private readonly options: CheckHandlerOptions) {}

  async handle(
    check: ParsedCheck,
    controlPoint: string,
    deadlineMs: number | undefined,
  ): Promise<CheckResponseMessage> {
    const { clock, registry, metrics } = this.options;
    const startMs = clock.now();
    const startedAtMs = this.options.wallClockMs();
    const target: FlowTarget = {
      controlPoint,
      services: flowServices(check.destinationService, check.http.host),
      agentGroup: this.options.agentGroup,
    };
    const fromRequest = requestLabels(check.http);
    const fromBaggage = parseBaggage(check.http.headers.baggage);
    const base = mergeFlowLabels(fromRequest, fromBaggage);
    const classified: ClassifiedLabel[] = [];
    const body = new LazyJsonBody(check.http);
    for (const classifier of registry.classifiersFor(target, base.values)) {
      const result = classify(classifier, check.http, body);
      classified.push(...result.labels);
      for (const miss of result.misses)
        metrics.classifierMisses.inc({
          policy_name: classifier.policyName,
          label: miss.label,
          reason: miss.reason,
        });
    }
    const labels = mergeFlowLabels(fromRequest, fromBaggage, classified);
    this.options.previews.offer({
      controlPoint,
      services: target.services,
      labels: labels.values,
      http: check.http,
    });
    for (const service of target.services.length > 0 ? target.services : [''])
      this.options.controlPoints.record({ controlPoint, service, type: 'http' });

    const selected = registry.select(target, labels.values);
    const result: PipelineResult = await runPipeline(
      selected,
      { labels: labels.values, deadlineMs, lagMs: this.options.lagMs() },
      (component, error) => {
        metrics.componentFailures.inc({
          policy_name: component.identity.policyName,
          component_id: component.identity.componentId,
        });
        // Debug only: a failing backend fails every flow, and the counter above is the alert signal.
        this.options.logger?.log('debug', 'component failed; flow admitted', {
          policy: component.identity.policyName,
          component: component.identity.componentId,
          error: error instanceof Error ? error.message : String(error),
        });
      },
    );
    const decision = result.kind === 'admit' ? 'accepted' : 'rejected';
    this.count(result);
    const endMs = clock.now();
    const record: DecisionRecord = {
      v: 1,
      controlPoint,
      services: target.services as string[],
      decision,
      components: componentRecords(result.decisions),
      fluxMeters: selected.fluxMeters.map((meter) => ({
        policyName: meter.config.policyName,
        name: meter.config.name,
      })),
      labels: telemetryLabels(labels),
      startedAtMs,
      processingMs: Math.round((endMs - startMs) * 1000) / 1000,
    };
    const propagated = classified.filter((label) => label.propagate);
    const response = buildCheckResponse({
      result,
      record,
      baggage: result.kind === 'admit' ? appendBaggage(check.http.headers.baggage, propagated) : undefined,
    });
    metrics.checks.inc({ control_point: controlPoint, decision });
    metrics.checkDuration.observe({ decision }, (endMs - startMs) / 1000);
    if (deadlineMs !== undefined && endMs > deadlineMs) metrics.deadlineMisses.inc();
    return response;
  }

  private count(result: PipelineResult): void {
    const metrics = this.options.metrics;
    for (const decision of result.decisions) {
      const identity = {
        policy_name: decision.identity.policyName,
        component_id: decision.identity.componentId,
      };
      const verdict = decision.admitted ? 'accepted' : 'rejected';
      metrics.componentDecisions.inc({
        ...identity,
        kind: decision.kind,
        decision: verdict,
        reason: decision.reason,
        dry_run: String(!decision.enforced),
      });
      if (decision.source !== undefined)
        metrics.rateLimiterDecisionSource.inc({ ...identity, source: decision.source });
      if (decision.kind === 'load-scheduler' && decision.workload !== undefined) {
        const labels = { ...identity, workload: decision.workload };
        metrics.schedulerTokens.inc({ ...labels, stage: 'incoming' }, decision.tokens);
        metrics.schedulerTokens.inc({ ...labels, stage: verdict }, decision.tokens);
        metrics.queueWait.observe({ ...labels, decision: verdict }, decision.queuedMs / 1000);
      }
    }
  }
}
