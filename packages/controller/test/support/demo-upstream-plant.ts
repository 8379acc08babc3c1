import type { syncV1 } from '@sluice/spec';
import { seededRandom } from './seeded-random.js';

/**
 * A simulated agent in front of the demo upstream, in simulated time, for closed-loop tests of the
 * control loop. It models what the real pieces do and, above all, what the agent really reports:
 *
 * - Arrivals are open-loop Poisson at a settable rate (clients do not wait for answers).
 * - The agent's load scheduler: pass-through, or a token bucket filled at LM × the recent incoming
 *   rate (the last `agentRateWindowMs` of arrivals in whole seconds), capacity one second of fill;
 *   a flow waits for a token at most `agentQueueTimeoutMs`, else it is rejected. One token per flow.
 * - The upstream: `concurrency` workers, FIFO, a fixed `serviceTimeMs` each. With equal service
 *   times FIFO completion is exact: flow n starts at max(its admission, completion of flow n − c).
 * - Each report (every `reportIntervalMs`) carries the flows that completed in the interval with
 *   their upstream latency (admission to completion, so the agent's own queueing is excluded, as
 *   the real agent subtracts it) and the token counters of decisions made in the interval.
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
}

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
  readonly #inFlight: { completesAt: number; latencyMs: number }[] = [];
  #inFlightHead = 0;
  // Counters of the current report interval.
  #incoming = 0;
  #accepted = 0;
  #rejected = 0;
  #nextReportAt: number;
  #sequence = 0;
  /** Flows completed since the start, for goodput. */
  completedTotal = 0;

  constructor(options: PlantOptions) {
    this.#options = {
      concurrency: 10,
      serviceTimeMs: 50,
      agentRateWindowMs: 5000,
      agentQueueTimeoutMs: 225,
      reportIntervalMs: 1000,
      seed: 1,
      ...options,
    };
    this.#random = seededRandom(this.#options.seed);
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
    const c = this.#options.concurrency;
    const freeAt =
      this.#recentCompletions.length < c
        ? 0
        : (this.#recentCompletions[this.#recentCompletions.length - c] ?? 0);
    const completesAt = Math.max(admittedAt, freeAt) + this.#options.serviceTimeMs;
    this.#recentCompletions.push(completesAt);
    if (this.#recentCompletions.length > 4 * c)
      this.#recentCompletions.splice(0, this.#recentCompletions.length - c);
    this.#inFlight.push({ completesAt, latencyMs: completesAt - admittedAt });
  }

  #report(): syncV1.Report {
    let count = 0;
    let sum = 0;
    while (this.#inFlightHead < this.#inFlight.length) {
      const flow = this.#inFlight[this.#inFlightHead];
      if (flow === undefined || flow.completesAt > this.#now) break;
      count += 1;
      sum += flow.latencyMs;
      this.#inFlightHead += 1;
    }
    if (this.#inFlightHead > 10_000) {
      this.#inFlight.splice(0, this.#inFlightHead);
      this.#inFlightHead = 0;
    }
    this.completedTotal += count;
    this.#sequence += 1;
    const report: syncV1.Report = {
      sequence: this.#sequence,
      agent_time_ms: this.#now,
      interval_ms: this.#options.reportIntervalMs,
      flux_meters:
        count > 0
          ? [
              {
                flux_meter_name: this.#options.fluxMeterName,
                series: [
                  {
                    labels: { decision_type: 'accepted', status_code: '200', flow_status: 'OK' },
                    count,
                    latency_sum_ms: sum,
                  },
                ],
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
