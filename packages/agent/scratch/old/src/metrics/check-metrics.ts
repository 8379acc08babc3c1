import type { ClassifierMiss } from '../classification/classifier.js';
import type { ComponentDecision, ComponentIdentity } from '../pipeline/component-decision.js';
import type { AgentMetrics } from './agent-metrics.js';
import type { CounterSeries } from './series-counter.js';
import type { HistogramSeries } from './series-histogram.js';

type Verdict = 'accepted' | 'rejected';

/** A load scheduler's series for one workload, each resolved on first use. */
interface WorkloadSeries {
  incoming?: CounterSeries<string>;
  accepted?: CounterSeries<string>;
  rejected?: CounterSeries<string>;
  waitAccepted?: HistogramSeries<string>;
  waitRejected?: HistogramSeries<string>;
}

/** One component's series: decisions by kind, reason, verdict and dry run; sources; workloads. */
interface ComponentSeries {
  /** kind → reason → [rejected dry run, rejected enforced, accepted dry run, accepted enforced]. */
  readonly decisions: Map<string, Map<string, Array<CounterSeries<string> | undefined>>>;
  readonly sources: Map<string, CounterSeries<string>>;
  readonly workloads: Map<string, WorkloadSeries>;
  failures?: CounterSeries<string>;
}

/** Control points whose series are kept here; past it they are looked up per Check (still counted). */
const MAX_CACHED_CONTROL_POINTS = 256;
/** Classifier (policy, label, reason) triples whose series are kept here; past it, looked up per miss. */
const MAX_CACHED_MISSES = 1024;

/** Labels shared by a workload's series; built only when a series is first resolved. */
function workloadLabels(identity: ComponentIdentity, workload: string) {
  return { policy_name: identity.policyName, component_id: identity.componentId, workload };
}

/**
 * The metric updates of a Check, with every labelled series resolved once and then updated by plain
 * arithmetic. prom-client validates and hashes the label set on each call, which cost about a tenth
 * of a Check's CPU with a policy active. Series are keyed by the component's identity object in a
 * WeakMap, so a replaced policy's entries go with it. Label values that come from clients (control
 * points) are cached up to a bound, so a client cannot grow this cache without limit.
 */
export class CheckMetrics {
  private readonly components = new WeakMap<ComponentIdentity, ComponentSeries>();
  private readonly checks = new Map<
    string,
    { accepted?: CounterSeries<string>; rejected?: CounterSeries<string> }
  >();
  private readonly durations: { accepted?: HistogramSeries<string>; rejected?: HistogramSeries<string> } = {};
  private readonly misses = new Map<string, CounterSeries<string>>();

  constructor(private readonly metrics: AgentMetrics) {}

  /** `checks_total` and `check_duration_seconds` for one answered Check. */
  countCheck(controlPoint: string, decision: Verdict, seconds: number): void {
    let byDecision = this.checks.get(controlPoint);
    if (byDecision === undefined) {
      byDecision = {};
      if (this.checks.size < MAX_CACHED_CONTROL_POINTS) this.checks.set(controlPoint, byDecision);
    }
    (byDecision[decision] ??= this.metrics.checks.series({ control_point: controlPoint, decision })).inc();
    (this.durations[decision] ??= this.metrics.checkDuration.series({ decision })).observe(seconds);
  }

  /** `classifier_misses_total` for one rule that produced no label. */
  countClassifierMiss(policyName: string, label: string, reason: ClassifierMiss): void {
    const key = `${policyName}\u0000${label}\u0000${reason}`;
    let series = this.misses.get(key);
    if (series === undefined) {
      series = this.metrics.classifierMisses.series({ policy_name: policyName, label, reason });
      if (this.misses.size < MAX_CACHED_MISSES) this.misses.set(key, series);
    }
    series.inc();
  }

  /** `component_failures_total` for a component that threw (the flow was admitted). */
  countFailure(identity: ComponentIdentity): void {
    const component = this.component(identity);
    (component.failures ??= this.metrics.componentFailures.series({
      policy_name: identity.policyName,
      component_id: identity.componentId,
    })).inc();
  }

  /**
   * One component's verdict: `component_decisions_total`, the rate limiter's decision source, and a
   * load scheduler's tokens (incoming, then accepted or rejected) and queue wait.
   */
  countDecision(decision: ComponentDecision): void {
    const identity = decision.identity;
    const component = this.component(identity);
    const verdict: Verdict = decision.admitted ? 'accepted' : 'rejected';
    let byReason = component.decisions.get(decision.kind);
    if (byReason === undefined) component.decisions.set(decision.kind, (byReason = new Map()));
    let byOutcome = byReason.get(decision.reason);
    if (byOutcome === undefined) byReason.set(decision.reason, (byOutcome = []));
    const slot = (decision.admitted ? 2 : 0) + (decision.enforced ? 1 : 0);
    let series = byOutcome[slot];
    if (series === undefined)
      byOutcome[slot] = series = this.metrics.componentDecisions.series({
        policy_name: identity.policyName,
        component_id: identity.componentId,
        kind: decision.kind,
        decision: verdict,
        reason: decision.reason,
        dry_run: String(!decision.enforced),
      });
    series.inc();
    if (decision.source !== undefined) {
      let source = component.sources.get(decision.source);
      if (source === undefined)
        component.sources.set(
          decision.source,
          (source = this.metrics.rateLimiterDecisionSource.series({
            policy_name: identity.policyName,
            component_id: identity.componentId,
            source: decision.source,
          })),
        );
      source.inc();
    }
    if (decision.kind === 'load-scheduler' && decision.workload !== undefined)
      this.countWorkload(component, decision, decision.workload, verdict);
  }

  private countWorkload(
    component: ComponentSeries,
    decision: ComponentDecision,
    workload: string,
    verdict: Verdict,
  ): void {
    let series = component.workloads.get(workload);
    if (series === undefined) component.workloads.set(workload, (series = {}));
    const tokens = this.metrics.schedulerTokens;
    const wait = this.metrics.queueWait;
    const seconds = decision.queuedMs / 1000;
    (series.incoming ??= tokens.series({
      ...workloadLabels(decision.identity, workload),
      stage: 'incoming',
    })).inc(decision.tokens);
    if (verdict === 'accepted') {
      (series.accepted ??= tokens.series({
        ...workloadLabels(decision.identity, workload),
        stage: 'accepted',
      })).inc(decision.tokens);
      (series.waitAccepted ??= wait.series({
        ...workloadLabels(decision.identity, workload),
        decision: 'accepted',
      })).observe(seconds);
    } else {
      (series.rejected ??= tokens.series({
        ...workloadLabels(decision.identity, workload),
        stage: 'rejected',
      })).inc(decision.tokens);
      (series.waitRejected ??= wait.series({
        ...workloadLabels(decision.identity, workload),
        decision: 'rejected',
      })).observe(seconds);
    }
  }

  private component(identity: ComponentIdentity): ComponentSeries {
    let component = this.components.get(identity);
    if (component === undefined)
      this.components.set(
        identity,
        (component = { decisions: new Map(), sources: new Map(), workloads: new Map() }),
      );
    return component;
  }
}
