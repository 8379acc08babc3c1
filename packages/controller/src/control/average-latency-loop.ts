import type { AverageLatencyLoopConfig } from '@sluice/spec';
import { additiveIncrease, gradientCut, isPassThrough } from './aimd-step.js';
import { ErrorRatioBaseline } from './error-ratio-baseline.js';
import { aboveTolerance, errorRatioCondition } from './error-ratio-condition.js';
import { latencySignalMs } from './failure-signal.js';
import { LatencyBaseline, type BaselineState } from './latency-baseline.js';
import { overloadCondition, type OverloadCause } from './overload-condition.js';
import { addSamples, EMPTY_SAMPLE, SampleWindow, type TickSample } from './tick-sample.js';

/**
 * - `warming-up`: no baseline yet; pass-through while the baseline learns.
 * - `pass-through`: baseline known, latency within the setpoint; agents admit everything.
 * - `throttling`: a load multiplier below maxLoadMultiplier is in force.
 * - `released`: a throttle that did not improve latency was lifted; pass-through for a cool-down.
 * - `no-signal`: agents silent or no flows in the signal window; pass-through, AIMD reset.
 */
export type LoopState = 'warming-up' | 'pass-through' | 'throttling' | 'released' | 'no-signal';

/** What agents are told for one load scheduler. */
export interface LoadDecision {
  readonly policyName: string;
  readonly policyHash: string;
  readonly componentId: string;
  /** >= 0; meaningless when passThrough. */
  readonly loadMultiplier: number;
  readonly passThrough: boolean;
  readonly ttlMs: number;
}

/** The loop's view after a tick, for the API and metrics. */
export interface LoopStatus {
  readonly state: LoopState;
  /** Mean latency of OK flows over the signal window, stalled flows included (latencySignalMs). */
  readonly signalMs: number | undefined;
  readonly baselineMs: number | undefined;
  readonly setpointMs: number | undefined;
  readonly overloaded: boolean;
  /** What made the tick overloaded (see OverloadCause); empty when it was not. */
  readonly overloadCauses: readonly OverloadCause[];
  /** Server failures ÷ admitted flows over the signal window; undefined without flows. */
  readonly errorRatio: number | undefined;
  /** The learnt error ratio; undefined during its warm-up. */
  readonly baselineErrorRatio: number | undefined;
  /** The multiplier the loop wants (also in dryRun); maxLoadMultiplier when passing through. */
  readonly desiredLoadMultiplier: number;
  readonly observedLoadMultiplier: number | undefined;
  /** Lower bound on cuts from the upstream's measured capacity, when one is known. */
  readonly capacityFloor: number | undefined;
  /** Throttles released because latency did not improve (the alert counter). */
  readonly releases: number;
  readonly ticks: number;
}

export interface TickResult {
  readonly decision: LoadDecision;
  readonly status: LoopStatus;
  /** True on the tick a throttle was released for not improving latency. */
  readonly released: boolean;
}

export interface AverageLatencyLoopOptions {
  readonly config: AverageLatencyLoopConfig;
  /** Baseline saved by an earlier controller process. */
  readonly restoredBaseline?: BaselineState;
  /** Keeps the last N state transitions for tests and debugging. @default 64 */
  readonly traceLength?: number;
}

/**
 * Fraction of the measured upstream capacity that the load multiplier never goes below while
 * throttling. Latency from an open-loop overload is backlog, and a backlog drains only while
 * admission is below capacity; a cut deeper than that throws goodput away. 0.95 drains at 5% of
 * capacity and leaves room for the estimate's noise (a few percent) before admission undershoots.
 */
export const CAPACITY_DRAIN_FRACTION = 0.95;

/**
 * The share of the measured capacity to admit while the upstream holds a backlog whose queue wait is
 * `waitMs` above the setpoint: 1 − wait ÷ horizon, so a backlog of one horizon's wait would clear in
 * about one horizon, kept within [floor, CAPACITY_DRAIN_FRACTION]. With the default floor (0.95) this
 * is always 0.95: a policy trades goodput for faster latency recovery only when it lowers the floor.
 */
export function drainAdmission(waitMs: number, horizonMs: number, floor: number): number {
  const wanted = horizonMs > 0 ? 1 - Math.max(0, waitMs) / horizonMs : CAPACITY_DRAIN_FRACTION;
  const upper = Math.max(floor, CAPACITY_DRAIN_FRACTION);
  return Math.min(upper, Math.max(floor, wanted));
}

/**
 * A tick counts as backlogged when its agents admitted noticeably more than the upstream completed:
 * the completion rate is then the upstream's capacity. 5% absorbs report-alignment noise.
 */
const BACKLOG_MARGIN = 0.95;

/**
 * While throttling an overload whose capacity was measured, the additive increase admits at most this
 * much more than the measured capacity: probing far above it only rebuilds the backlog the throttle
 * drained, one latency spike per probe.
 */
export const PROBE_HEADROOM = 1.1;

/**
 * Signal windows spent at the probe cap before the capacity estimate is raised by PROBE_HEADROOM after
 * an overload. A probe that overloads costs a few ticks of backlog, so after one the loop waits this
 * long; a raise that did not overload is followed by the next after PROBE_SETTLE_WINDOWS (a scaled-out
 * upstream is found geometrically, as TCP's slow start finds bandwidth).
 */
export const PROBE_BACKOFF_WINDOWS = 15;

/**
 * Windows a raise must stay without overload before the next: more than one, because an overload shows
 * in the signal only after log batching and a report interval, which can exceed a short window.
 */
export const PROBE_SETTLE_WINDOWS = 2;

/** A window's signal must fall by at least this fraction to count as an improvement. */
const IMPROVEMENT_FRACTION = 0.01;

/**
 * The average-latency control loop of one load scheduler. Pure: it holds no timer, socket or clock;
 * the caller feeds agent reports with `record` and calls `tick` every evaluationInterval.
 *
 * Per tick: signal = mean OK latency over the signal window (all agents, weighted by counts), with
 * stalled flows counted at their full duration, never below the setpoint (failure-signal.ts);
 * setpoint = baseline × latencyToleranceMultiplier; overloaded = signal > setpoint, or the window's
 * error ratio exceeds its learnt baseline by errorRatioTolerance beyond chance
 * (error-ratio-condition.ts), in which case the cut is the deeper of the two (overload-condition.ts).
 * - Overloaded: at most one multiplicative cut per signal window (the window still holds the data
 *   that caused the previous cut, so cutting again on it would compound one observation), to
 *   observed × clamp(setpoint/signal, minGradient, maxGradient), never below the capacity floor
 *   (CAPACITY_DRAIN_FRACTION × the measured capacity, once a backlog was seen). On an overloaded
 *   tick whose own reports still show queueing, the multiplier is also capped at the measured
 *   capacity, every tick, without waiting for the next cut.
 * - Not overloaded while throttling: observed + linearIncrement × ticks since the last overload (not
 *   below the floor); at or above maxLoadMultiplier the agents pass everything through.
 * - The baseline learns only from pass-through ticks whose own latency is within the setpoint, so an
 *   overload or a throttle never teaches it that slow is normal.
 * - A throttle whose signal has not improved for releaseAfterWindows windows is released (counted as
 *   an alert) and the loop passes through for as long again.
 * - No reports, or no OK, stalled or failed flows in the signal window: pass-through and the AIMD
 *   state resets, so a throttle never outlives its evidence.
 */
export class AverageLatencyLoop {
  #config: AverageLatencyLoopConfig;
  readonly #window: SampleWindow;
  readonly #baseline: LatencyBaseline;
  readonly #errorBaseline: ErrorRatioBaseline;
  readonly #trace: { tick: number; from: LoopState; to: LoopState }[] = [];
  readonly #traceLength: number;
  #pending: TickSample = EMPTY_SAMPLE;
  #state: LoopState;
  #ticks = 0;
  #loadMultiplier: number;
  #ticksSinceOverload = 0;
  #lastCutTick = Number.NEGATIVE_INFINITY;
  #capacityRatio: number | undefined;
  /** Mean incoming tokens per tick over the signal window, as of the latest tick. */
  #incomingPerTick = 0;
  /** Share of the capacity to admit, from the latest backlogged tick's queue wait. */
  #drainShare = CAPACITY_DRAIN_FRACTION;
  #backlogSeen = false;
  /**
   * Completions per tick on backlogged ticks (EWMA): the capacity in absolute terms. The tick that
   * first shows the backlog is left out: it usually holds only part of the overload.
   */
  #capacityPerTick: number | undefined;
  /** Raises of the capacity estimate by probes (PROBE_HEADROOM each). */
  #probeGain = 1;
  #ticksAtProbeCap = 0;
  #probeWaitTicks = 0;
  #windowStartSignal: number | undefined;
  #windowTickCount = 0;
  #windowsWithoutImprovement = 0;
  #releasedUntilTick = 0;
  #releases = 0;
  #errorRatio: number | undefined;
  #overloadCauses: readonly OverloadCause[] = [];
  #status: LoopStatus;

  constructor(options: AverageLatencyLoopOptions) {
    this.#config = options.config;
    this.#traceLength = options.traceLength ?? 64;
    const tick = this.#config.evaluationIntervalMs;
    this.#window = new SampleWindow(Math.max(1, Math.round(this.#config.signalWindowMs / tick)));
    this.#baseline = new LatencyBaseline({
      windowTicks: this.#config.baselineWindowMs / tick,
      warmUpTicks: this.#config.warmUpMs / tick,
      ...(options.restoredBaseline !== undefined ? { restored: options.restoredBaseline } : {}),
    });
    this.#errorBaseline = new ErrorRatioBaseline({
      windowTicks: this.#config.baselineWindowMs / tick,
      warmUpTicks: this.#config.warmUpMs / tick,
      ...(options.restoredBaseline?.errors !== undefined
        ? { restored: options.restoredBaseline.errors }
        : {}),
    });
    this.#state = this.#baseline.ready ? 'pass-through' : 'warming-up';
    this.#loadMultiplier = this.#config.maxLoadMultiplier;
    this.#status = this.#makeStatus({ signalMs: undefined, observed: undefined, overloaded: false });
  }

  get config(): AverageLatencyLoopConfig {
    return this.#config;
  }

  get state(): LoopState {
    return this.#state;
  }

  get status(): LoopStatus {
    return this.#status;
  }

  /** State transitions so far (the last `traceLength`), oldest first. */
  get trace(): readonly { tick: number; from: LoopState; to: LoopState }[] {
    return this.#trace;
  }

  /** A new compile of the same scheduler: keeps the baseline and the AIMD state, takes new parameters. */
  reconfigure(config: AverageLatencyLoopConfig): void {
    this.#config = config;
  }

  /** Adds what one agent reported; it counts towards the next tick. */
  record(sample: TickSample): void {
    this.#pending = addSamples(this.#pending, {
      ...sample,
      reportCount: sample.reportCount > 0 ? sample.reportCount : 1,
    });
  }

  baselineSnapshot(): BaselineState {
    return { ...this.#baseline.snapshot(), errors: this.#errorBaseline.snapshot() };
  }

  /** The decision currently in force (what a newly connected agent should get). */
  decision(): LoadDecision {
    return this.#decisionFor(
      this.#state === 'throttling' ? this.#loadMultiplier : this.#config.maxLoadMultiplier,
    );
  }

  /** Runs one control step over everything recorded since the previous tick. */
  tick(): TickResult {
    this.#ticks += 1;
    const sample = this.#pending;
    this.#pending = EMPTY_SAMPLE;
    this.#window.push(sample);
    const totals = this.#window.totals();
    const baselineMs = this.#baseline.valueMs();
    const tolerance = this.#config.latencyToleranceMultiplier;
    const signalMs = latencySignalMs({
      ...totals,
      flowCount: totals.completedCount + totals.stalledCount,
      setpointMs: baselineMs === undefined ? undefined : baselineMs * tolerance,
      baselineFailureRatio: this.#errorBaseline.ratio(),
    });
    const errors = errorRatioCondition({
      failedCount: totals.failedCount,
      flowCount: totals.completedCount + totals.stalledCount,
      baselineRatio: this.#errorBaseline.ratio(),
      tolerance: this.#config.errorRatioTolerance,
    });
    this.#errorRatio = errors.ratio;
    this.#overloadCauses = [];
    this.#incomingPerTick = totals.incomingTokens / Math.max(1, this.#window.size);
    const tokens = totals.acceptedTokens + totals.rejectedTokens;
    const observed = tokens > 0 ? totals.acceptedTokens / tokens : undefined;
    let released = false;

    // Failing flows are evidence too: a service that answers only 5xx has no OK latency.
    const evidence = signalMs === undefined ? errors.ratio !== undefined : Number.isFinite(signalMs);
    if (!evidence || totals.reportCount === 0) {
      this.#resetAimd();
      this.#transition(
        ['warming-up', 'pass-through', 'throttling', 'released', 'no-signal'],
        this.#baseline.ready ? 'no-signal' : 'warming-up',
      );
      return this.#finish({ signalMs, observed, overloaded: false, released });
    }

    if (baselineMs === undefined) {
      this.#baseline.learn(sample.okCount, sample.okLatencySumMs);
      this.#learnErrorBaseline(sample);
      this.#transition(['warming-up', 'no-signal'], this.#baseline.ready ? 'pass-through' : 'warming-up');
      return this.#finish({ signalMs, observed, overloaded: false, released });
    }

    const setpointMs = baselineMs * tolerance;
    const condition = overloadCondition({
      okMeanMs: totals.okCount > 0 ? totals.okLatencySumMs / totals.okCount : undefined,
      signalMs,
      setpointMs,
      errors,
      latestTickFailing: aboveTolerance({
        failedCount: sample.failedCount,
        flowCount: sample.completedCount + sample.stalledCount,
        baselineRatio: this.#errorBaseline.ratio(),
        tolerance: this.#config.errorRatioTolerance,
      }),
    });
    const overloaded = condition.overloaded;
    this.#overloadCauses = condition.causes;
    // What the cut and the improvement check measure (the signal, or deeper when errors overload).
    const cutSignalMs = condition.cutSignalMs ?? setpointMs;
    // Completions count fast failures too, so they would overstate the capacity: none is measured,
    // and no capacity floor holds a cut, while errors overload.
    const backlogged = overloaded && !errors.overloaded && this.#measureCapacity(sample, setpointMs);
    if (sample.okCount > 0) {
      // Latency above the setpoint is queue wait (Little's law: backlog = capacity × wait).
      this.#drainShare = drainAdmission(
        sample.okLatencySumMs / sample.okCount - setpointMs,
        this.#config.signalWindowMs,
        this.#config.backlogDrainFloor,
      );
    }

    if (this.#state === 'released') {
      if (this.#ticks < this.#releasedUntilTick)
        return this.#finish({ signalMs, observed, overloaded, released });
      this.#transition(['released'], 'pass-through');
    }
    if (this.#state === 'no-signal' || this.#state === 'warming-up')
      this.#transition(['no-signal', 'warming-up'], 'pass-through');

    if (overloaded) {
      this.#ticksSinceOverload = 0;
      this.#ticksAtProbeCap = 0;
      this.#probeWaitTicks = PROBE_BACKOFF_WINDOWS * this.#window.lengthTicks;
      const windowTicks = this.#window.lengthTicks;
      if (this.#ticks - this.#lastCutTick >= windowTicks && condition.cutAllowed) {
        // Out of pass-through the agents admitted everything, so the base is 1 if they sent no counters.
        const base = observed ?? (this.#state === 'throttling' ? this.#loadMultiplier : 1);
        const cut = gradientCut({
          setpointMs,
          signalMs: cutSignalMs,
          observedLoadMultiplier: base,
          minGradient: this.#config.minGradient,
          maxGradient: this.#config.maxGradient,
        });
        this.#loadMultiplier = Math.max(cut, errors.overloaded ? 0 : this.#floor());
        this.#lastCutTick = this.#ticks;
        if (this.#state !== 'throttling') {
          this.#transition(['pass-through'], 'throttling');
          this.#windowStartSignal = cutSignalMs;
          this.#windowTickCount = 0;
          this.#windowsWithoutImprovement = 0;
        }
      }
      if (backlogged && this.#state === 'throttling' && this.#capacityRatio !== undefined) {
        // While a backlog exists, admitting more than the drain share of capacity only deepens it or
        // keeps it; this acts every tick, because waiting a signal window for the next cut would let it
        // grow for that long.
        this.#loadMultiplier = this.#floor();
      }
      released = this.#checkImprovement(cutSignalMs, overloaded);
    } else if (this.#state === 'throttling') {
      this.#ticksSinceOverload += 1;
      const increased = additiveIncrease({
        observedLoadMultiplier: observed ?? this.#loadMultiplier,
        ticksSinceOverload: this.#ticksSinceOverload,
        linearIncrement: this.#config.linearIncrement,
      });
      const cap = this.#probeCap(this.#incomingPerTick);
      this.#ticksAtProbeCap = increased > cap ? this.#ticksAtProbeCap + 1 : 0;
      if (this.#ticksAtProbeCap >= this.#probeWaitTicks) {
        this.#probeGain *= PROBE_HEADROOM;
        this.#ticksAtProbeCap = 0;
        this.#probeWaitTicks = PROBE_SETTLE_WINDOWS * this.#window.lengthTicks;
      }
      this.#loadMultiplier = Math.max(Math.min(increased, cap), this.#floor());
      this.#checkImprovement(cutSignalMs, overloaded);
      if (isPassThrough(this.#loadMultiplier, this.#config.maxLoadMultiplier)) {
        this.#resetAimd();
        this.#transition(['throttling'], 'pass-through');
      }
    } else {
      if (sample.okCount > 0 && sample.okLatencySumMs / sample.okCount <= setpointMs)
        this.#baseline.learn(sample.okCount, sample.okLatencySumMs);
      this.#learnErrorBaseline(sample);
    }
    return this.#finish({ signalMs, observed, overloaded, released });
  }

  /**
   * Teaches the error-ratio baseline one tick, unless the tick's own failures already meet the error
   * condition (the window can lag the first overloaded tick); the same test as the window's, so a
   * healthy tick is left out with a chance under one in a million and the learnt ratio is not biased.
   */
  #learnErrorBaseline(sample: TickSample): void {
    const flowCount = sample.completedCount + sample.stalledCount;
    const own = errorRatioCondition({
      failedCount: sample.failedCount,
      flowCount,
      baselineRatio: this.#errorBaseline.ratio(),
      tolerance: this.#config.errorRatioTolerance,
    });
    if (!own.overloaded) this.#errorBaseline.learn(flowCount, sample.failedCount);
  }

  /**
   * Updates the upstream capacity estimate (completions ÷ incoming tokens) from a tick whose own
   * latency is above the setpoint: the upstream is queueing then, so it completes at capacity. It
   * starts only after a tick that also admitted clearly more than was completed, the evidence that
   * latency comes from a backlog and not from, say, a slow dependency; without that evidence there is
   * no floor and plain AIMD applies. Smoothed over about a signal window (EWMA weight 1/window ticks),
   * since one tick's Poisson counts vary by several percent. Returns whether the tick was measured.
   */
  #measureCapacity(sample: TickSample, setpointMs: number): boolean {
    if (sample.okCount <= 0 || sample.incomingTokens <= 0) return false;
    if (sample.okLatencySumMs / sample.okCount <= setpointMs) return false;
    const firstBacklogged = !this.#backlogSeen;
    if (firstBacklogged) {
      if (sample.completedCount >= sample.acceptedTokens * BACKLOG_MARGIN) return false;
      this.#backlogSeen = true;
    }

    const ratio = Math.min(1, sample.completedCount / sample.incomingTokens);
    const weight = 1 / this.#window.lengthTicks;
    this.#capacityRatio =
      this.#capacityRatio === undefined
        ? ratio
        : this.#capacityRatio + weight * (ratio - this.#capacityRatio);
    if (!firstBacklogged) {
      this.#capacityPerTick =
        this.#capacityPerTick === undefined
          ? sample.completedCount
          : this.#capacityPerTick + weight * (sample.completedCount - this.#capacityPerTick);
      this.#probeGain = 1;
    }
    return true;
  }

  /**
   * The largest multiplier the additive increase may reach: CAPACITY_DRAIN_FRACTION × the measured
   * capacity (raised by probes) ÷ the incoming rate. None (Infinity) while the capacity is unknown or the incoming load fits in it,
   * so a drop in load still climbs to pass-through.
   */
  #probeCap(incomingPerTick: number): number {
    if (this.#capacityPerTick === undefined || !(incomingPerTick > 0)) return Number.POSITIVE_INFINITY;
    // Admission settles at CAPACITY_DRAIN_FRACTION of the capacity: at 100% any burst queues, and
    // the latency the loop protects is mostly queueing.
    const cap = (CAPACITY_DRAIN_FRACTION * this.#capacityPerTick * this.#probeGain) / incomingPerTick;
    return cap >= 1 ? Number.POSITIVE_INFINITY : cap;
  }

  /** The least the loop admits while throttling: the drain share of the measured capacity. */
  #floor(): number {
    if (this.#capacityRatio === undefined) return 0;
    // The ratio of completions to incoming tokens is averaged over backlogged ticks only. When the
    // incoming rate rises between them (closed-loop clients cycle faster once latency falls), it is
    // stale and too high; the absolute capacity over the window's incoming rate is not. When the
    // incoming rate steps up, the window's mean lags and the ratio is the lower. The lower wins.
    const ratio =
      this.#capacityPerTick !== undefined && this.#incomingPerTick > 0
        ? Math.min(this.#capacityRatio, this.#capacityPerTick / this.#incomingPerTick)
        : this.#capacityRatio;
    return this.#drainShare * ratio;
  }

  /** Counts signal windows without improvement; releases the throttle after releaseAfterWindows. */
  #checkImprovement(signalMs: number, overloaded: boolean): boolean {
    if (this.#state !== 'throttling') return false;
    if (!overloaded) {
      this.#windowsWithoutImprovement = 0;
      this.#windowStartSignal = signalMs;
      this.#windowTickCount = 0;
      return false;
    }
    this.#windowTickCount += 1;
    if (this.#windowTickCount < this.#window.lengthTicks) return false;
    const start = this.#windowStartSignal ?? signalMs;
    this.#windowsWithoutImprovement =
      signalMs <= start * (1 - IMPROVEMENT_FRACTION) ? 0 : this.#windowsWithoutImprovement + 1;
    this.#windowStartSignal = signalMs;
    this.#windowTickCount = 0;
    if (this.#windowsWithoutImprovement < this.#config.releaseAfterWindows) return false;
    this.#releases += 1;
    this.#resetAimd();
    this.#releasedUntilTick = this.#ticks + this.#config.releaseAfterWindows * this.#window.lengthTicks;
    this.#transition(['throttling'], 'released');
    return true;
  }

  #resetAimd(): void {
    this.#loadMultiplier = this.#config.maxLoadMultiplier;
    this.#ticksSinceOverload = 0;
    this.#lastCutTick = Number.NEGATIVE_INFINITY;
    this.#capacityRatio = undefined;
    this.#drainShare = CAPACITY_DRAIN_FRACTION;
    this.#capacityPerTick = undefined;
    this.#probeGain = 1;
    this.#ticksAtProbeCap = 0;
    this.#probeWaitTicks = 0;
    this.#backlogSeen = false;
    this.#windowsWithoutImprovement = 0;
    this.#windowStartSignal = undefined;
    this.#windowTickCount = 0;
  }

  #transition(allowedFrom: readonly LoopState[], to: LoopState): void {
    if (this.#state === to) return;
    if (!allowedFrom.includes(this.#state))
      throw new Error(
        `control loop ${this.#config.policyName}/${this.#config.componentId}: no transition from ${this.#state} to ${to}`,
      );
    this.#trace.push({ tick: this.#ticks, from: this.#state, to });
    if (this.#trace.length > this.#traceLength) this.#trace.shift();
    this.#state = to;
  }

  #decisionFor(loadMultiplier: number): LoadDecision {
    const passThrough =
      this.#config.dryRun ||
      this.#state !== 'throttling' ||
      isPassThrough(loadMultiplier, this.#config.maxLoadMultiplier);
    return {
      policyName: this.#config.policyName,
      policyHash: this.#config.policyHash,
      componentId: this.#config.componentId,
      loadMultiplier: passThrough ? this.#config.maxLoadMultiplier : Math.max(0, loadMultiplier),
      passThrough,
      ttlMs: this.#config.decisionTtlMs,
    };
  }

  #makeStatus(input: {
    signalMs: number | undefined;
    observed: number | undefined;
    overloaded: boolean;
  }): LoopStatus {
    const baselineMs = this.#baseline.valueMs();
    return {
      state: this.#state,
      signalMs: input.signalMs,
      baselineMs,
      setpointMs: baselineMs === undefined ? undefined : baselineMs * this.#config.latencyToleranceMultiplier,
      overloaded: input.overloaded,
      overloadCauses: input.overloaded ? this.#overloadCauses : [],
      errorRatio: this.#errorRatio,
      baselineErrorRatio: this.#errorBaseline.ratio(),
      desiredLoadMultiplier:
        this.#state === 'throttling' ? this.#loadMultiplier : this.#config.maxLoadMultiplier,
      observedLoadMultiplier: input.observed,
      capacityFloor: this.#capacityRatio === undefined ? undefined : this.#floor(),
      releases: this.#releases,
      ticks: this.#ticks,
    };
  }

  #finish(input: {
    signalMs: number | undefined;
    observed: number | undefined;
    overloaded: boolean;
    released: boolean;
  }): TickResult {
    this.#status = this.#makeStatus(input);
    return { decision: this.decision(), status: this.#status, released: input.released };
  }
}
