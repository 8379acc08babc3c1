import type { syncV1 } from '@sluice/spec';
import { seededRandom } from '@sluice/clock';

/**
 * A simulated agent in front of the demo upstream, in simulated time, for closed-loop tests of the
 * control loop. It models what the real pieces do and, above all, what the agent really reports:
 *
 * - Arrivals are open-loop Poisson at a settable rate (clients do not wait for answers).
 * - The agent's load scheduler: pass-through, or a token bucket filled at LM × the recent incoming
 *   rate (the last `agentRateWindowMs` of arrivals in whole seconds), capacity one second of fill;
 *   a flow waits for a token at most `agentQueueTimeoutMs`, else it is rejected. One token per flow.
 * - The upstream: `concurrency` workers, a fixed `serviceTimeMs` each; `errorRatio` of the served
 *   flows are answered 500. What happens when every worker is busy is the `overloadMode`:
 *   - `queue` (the demo upstream's default): FIFO. With equal service times FIFO completion is
 *     exact: flow n starts at max(its admission, completion of flow n − c).
 *   - `fast-503`: the flow is answered 503 at once (1 ms), as `sluice-demo upstream --overload fast-503`.
 *   - `stall`: the flow is held until the proxy's route timeout answers 504 `routeTimeoutMs` after
 *     admission, with no upstream response (RESPONSE_DURATION `-`), as `--overload stall`; the agent
 *     reports it in a `stalled: "true"` series at that duration.
 * - Each report (every `reportIntervalMs`) carries the flows that ended in the interval with their
 *   upstream latency (admission to completion, so the agent's own queueing is excluded, as the real
 *   agent subtracts it), one series per status as the agent labels them, and the token counters of
 *   decisions made in the interval.
 */
export interface PlantOptions {
  readonly policyName: string;
  readonly componentId: string;
  readonly fluxMeterName: string;
  /** @default 10 */
  readonly concurrency?: number;
  /** @default 50 */
  readonly serviceTimeMs?: number;
  /** @default 5000 */
  readonly agentRateWindowMs?: number;
  /** Envoy's 250 ms ext_authz timeout minus the 25 ms margin. @default 225 */
  readonly agentQueueTimeoutMs?: number;
  /** @default 1000 */
  readonly reportIntervalMs?: number;
  readonly seed?: number;
  /** What the upstream does with a flow when every worker is busy. @default 'queue' */
  readonly overloadMode?: 'queue' | 'fast-503' | 'stall';
  /** The proxy's route timeout, which ends a stalled flow. @default 1000 */
  readonly routeTimeoutMs?: number;
  /** Share of served flows answered 500. @default 0 */
  readonly errorRatio?: number;
}

/** How a flow ended, and the series the agent reports it in. */
type FlowEnd = 'ok' | 'error-500' | 'fast-503' | 'stalled';

const SERIES_LABELS: Readonly<Record<FlowEnd, Readonly<Record<string, string>>>> = {
  ok: { decision_type: 'accepted', status_code: '200', flow_status: 'OK', stalled: 'false' },
  'error-500': { decision_type: 'accepted', status_code: '500', flow_status: 'Error', stalled: 'false' },
  'fast-503': { decision_type: 'accepted', status_code: '503', flow_status: 'Error', stalled: 'false' },
  stalled: { decision_type: 'accepted', status_code: '504', flow_status: 'Error', stalled: 'true' },
};

/** A fast 503 takes this long (the demo upstream answers at once; the network still costs a little). */
const FAST_503_MS = 1;

export class DemoUpstreamPlant {
  readonly #options: Required<PlantOptions>;
  readonly #random: () => number;
  #now = 0;
  #rate = 0;
  #nextArrival = Number.POSITIVE_INFINITY;
  // Agent: arrivals per whole second, for the recent-rate estimate.
  readonly #arrivalsPerSecond = new Map<number, number>();
  #passThrough = true;
  #fillPerMs = 0;
  #capacityTokens = 0;
  #tokens = 0;
  #tokensAt = 0;
  // Upstream: completion times of the last `concurrency` flows and the flows still to complete.
  readonly #recentCompletions: number[] = [];
  readonly #inFlight: { completesAt: number; latencyMs: number; end: FlowEnd }[] = [];
  #inFlightHead = 0;
  // Loss modes (fast-503, stall): when each worker is next free, and the flows still to end, unordered.
  readonly #workerFreeAt: number[];
  #pendingLoss: { completesAt: number; latencyMs: number; end: FlowEnd }[] = [];
  // Counters of the current report interval.
  #incoming = 0;
  #accepted = 0;
  #rejected = 0;
  #nextReportAt: number;
  #sequence = 0;
  /** Flows completed since the start, for goodput. */
  completedTotal = 0;
  /** Flows that ended since the start, by how. */
  readonly ended: Record<FlowEnd, number> = { ok: 0, 'error-500': 0, 'fast-503': 0, stalled: 0 };

  constructor(options: PlantOptions) {
    this.#options = {
      concurrency: 10,
      serviceTimeMs: 50,
      agentRateWindowMs: 5000,
      agentQueueTimeoutMs: 225,
      reportIntervalMs: 1000,
      seed: 1,
      overloadMode: 'queue',
      routeTimeoutMs: 1000,
      errorRatio: 0,
      ...options,
    };
    this.#random = seededRandom(this.#options.seed);
    this.#workerFreeAt = new Array<number>(this.#options.concurrency).fill(0);
    this.#nextReportAt = this.#options.reportIntervalMs;
  }

  get now(): number {
    return this.#now;
  }

  /** Service capacity in flows per second. */
  get capacityPerSecond(): number {
    return (this.#options.concurrency * 1000) / this.#options.serviceTimeMs;
  }

  /** Changes the open-loop arrival rate from now on (Poisson arrivals are memoryless). */
  setArrivalRate(perSecond: number): void {
    this.#rate = perSecond;
    this.#nextArrival = perSecond > 0 ? this.#now + this.#gap() : Number.POSITIVE_INFINITY;
  }

  /** Applies a decision the controller pushed, as the agent does on receipt. */
  applyDecision(decision: { readonly passThrough: boolean; readonly loadMultiplier: number }): void {
    this.#refill();
    this.#passThrough = decision.passThrough;
    if (decision.passThrough) return;
    const fillPerSecond = Math.max(0, decision.loadMultiplier) * this.#recentRatePerSecond();
    this.#fillPerMs = fillPerSecond / 1000;
    this.#capacityTokens = fillPerSecond;
    this.#tokens = Math.min(this.#tokens, this.#capacityTokens);
  }

  /** Runs the simulation up to `untilMs` and returns the reports the agent sent meanwhile. */
  runUntil(untilMs: number): syncV1.Report[] {
    const reports: syncV1.Report[] = [];
    for (;;) {
      const next = Math.min(this.#nextArrival, this.#nextReportAt);
      if (next > untilMs) break;
      this.#now = next;
      if (next === this.#nextReportAt) {
        reports.push(this.#report());
        this.#nextReportAt += this.#options.reportIntervalMs;
      } else {
        this.#arrive();
        this.#nextArrival = this.#now + this.#gap();
      }
    }
    this.#now = untilMs;
    return reports;
  }

  #gap(): number {
    return (-Math.log(1 - this.#random()) / this.#rate) * 1000;
  }

  #recentRatePerSecond(): number {
    const seconds = Math.max(1, Math.round(this.#options.agentRateWindowMs / 1000));
    const current = Math.floor(this.#now / 1000);
    let total = 0;
    for (let second = current - seconds; second < current; second++)
      total += this.#arrivalsPerSecond.get(second) ?? 0;
    return total / seconds;
  }

  #refill(): void {
    if (!this.#passThrough)
      this.#tokens = Math.min(
        this.#capacityTokens,
        this.#tokens + (this.#now - this.#tokensAt) * this.#fillPerMs,
      );
    this.#tokensAt = this.#now;
  }

  #arrive(): void {
    const second = Math.floor(this.#now / 1000);
    this.#arrivalsPerSecond.set(second, (this.#arrivalsPerSecond.get(second) ?? 0) + 1);
    this.#arrivalsPerSecond.delete(second - 120);
    this.#incoming += 1;
    let admittedAt = this.#now;
    if (!this.#passThrough) {
      this.#refill();
      // Reservation: the flow takes a token now, or waits until the bucket has refilled to it.
      const waitMs =
        this.#tokens >= 1
          ? 0
          : this.#fillPerMs > 0
            ? (1 - this.#tokens) / this.#fillPerMs
            : Number.POSITIVE_INFINITY;
      if (waitMs > this.#options.agentQueueTimeoutMs) {
        this.#rejected += 1;
        return;
      }
      this.#tokens -= 1;
      admittedAt = this.#now + waitMs;
    }
    this.#accepted += 1;
    if (this.#options.overloadMode !== 'queue') {
      this.#serveOrLose(admittedAt);
      return;
    }
    const c = this.#options.concurrency;
    const freeAt =
      this.#recentCompletions.length < c
        ? 0
        : (this.#recentCompletions[this.#recentCompletions.length - c] ?? 0);
    const completesAt = Math.max(admittedAt, freeAt) + this.#options.serviceTimeMs;
    this.#recentCompletions.push(completesAt);
    if (this.#recentCompletions.length > 4 * c)
      this.#recentCompletions.splice(0, this.#recentCompletions.length - c);
    this.#inFlight.push({ completesAt, latencyMs: completesAt - admittedAt, end: this.#servedEnd() });
  }

  /** A served flow is answered 500 with probability errorRatio (no draw at 0, so runs repeat). */
  #servedEnd(): FlowEnd {
    return this.#options.errorRatio > 0 && this.#random() < this.#options.errorRatio ? 'error-500' : 'ok';
  }

  /** Loss modes: the earliest-free worker serves the flow, or none is free and it fails fast or stalls. */
  #serveOrLose(admittedAt: number): void {
    let worker = 0;
    for (let index = 1; index < this.#workerFreeAt.length; index++)
      if ((this.#workerFreeAt[index] ?? 0) < (this.#workerFreeAt[worker] ?? 0)) worker = index;
    if ((this.#workerFreeAt[worker] ?? 0) <= admittedAt) {
      const completesAt = admittedAt + this.#options.serviceTimeMs;
      this.#workerFreeAt[worker] = completesAt;
      this.#pendingLoss.push({ completesAt, latencyMs: this.#options.serviceTimeMs, end: this.#servedEnd() });
    } else if (this.#options.overloadMode === 'fast-503') {
      this.#pendingLoss.push({
        completesAt: admittedAt + FAST_503_MS,
        latencyMs: FAST_503_MS,
        end: 'fast-503',
      });
    } else {
      const timeout = this.#options.routeTimeoutMs;
      this.#pendingLoss.push({ completesAt: admittedAt + timeout, latencyMs: timeout, end: 'stalled' });
    }
  }

  #report(): syncV1.Report {
    const byEnd = new Map<FlowEnd, { count: number; sum: number }>();
    const end = (flow: { latencyMs: number; end: FlowEnd }) => {
      const entry = byEnd.get(flow.end) ?? { count: 0, sum: 0 };
      entry.count += 1;
      entry.sum += flow.latencyMs;
      byEnd.set(flow.end, entry);
      this.ended[flow.end] += 1;
      if (flow.end !== 'stalled') this.completedTotal += 1;
    };
    while (this.#inFlightHead < this.#inFlight.length) {
      const flow = this.#inFlight[this.#inFlightHead];
      if (flow === undefined || flow.completesAt > this.#now) break;
      end(flow);
      this.#inFlightHead += 1;
    }
    if (this.#inFlightHead > 10_000) {
      this.#inFlight.splice(0, this.#inFlightHead);
      this.#inFlightHead = 0;
    }
    const pending: { completesAt: number; latencyMs: number; end: FlowEnd }[] = [];
    for (const flow of this.#pendingLoss) {
      if (flow.completesAt <= this.#now) end(flow);
      else pending.push(flow);
    }
    this.#pendingLoss = pending;
    this.#sequence += 1;
    const report: syncV1.Report = {
      sequence: this.#sequence,
      agent_time_ms: this.#now,
      interval_ms: this.#options.reportIntervalMs,
      flux_meters:
        byEnd.size > 0
          ? [
              {
                flux_meter_name: this.#options.fluxMeterName,
                series: [...byEnd].map(([flowEnd, { count, sum }]) => ({
                  labels: { ...SERIES_LABELS[flowEnd] },
                  count,
                  latency_sum_ms: sum,
                })),
              },
            ]
          : [],
      token_counters:
        this.#incoming > 0
          ? [
              {
                policy_name: this.#options.policyName,
                component_id: this.#options.componentId,
                workloads: [
                  {
                    workload: 'default',
                    incoming_tokens: this.#incoming,
                    accepted_tokens: this.#accepted,
                    rejected_tokens: this.#rejected,
                  },
                ],
              },
            ]
          : [],
    };
    this.#incoming = 0;
    this.#accepted = 0;
    this.#rejected = 0;
    return report;
  }
}
