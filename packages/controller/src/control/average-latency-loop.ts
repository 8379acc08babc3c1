import type { AverageLatencyLoopConfig } from '@sluice/spec';
import { baselineLesson } from './baseline-learning.js';
import { ErrorRatioBaseline } from './error-ratio-baseline.js';
import { LatencyBaseline, type BaselineState } from './latency-baseline.js';
import type { LoopState, LoopTransition, LoopTransitionReason } from './loop-state.js';
import { loadDecision, type LoadDecision, type LoopStatus, type TickResult } from './loop-status.js';
import { resolveLoopTuning, type LoopTuning, type LoopTuningOverrides } from './loop-tuning.js';
import { freshThrottle, measureBacklog, throttleFloor, throttleTick, type Throttle } from './throttle.js';
import { readTick, type TickReading } from './tick-reading.js';
import { addSamples, EMPTY_SAMPLE, SampleWindow, type TickSample } from './tick-sample.js';

export interface AverageLatencyLoopOptions {
  readonly config: AverageLatencyLoopConfig;
  /** Baseline saved by an earlier controller process. */
  readonly restoredBaseline?: BaselineState;
  /** Keeps the last N state transitions for tests and debugging. @default 64 */
  readonly traceLength?: number;
  /** The steps' constants that the policy does not set (loop-tuning.ts). @default DEFAULT_LOOP_TUNING */
  readonly tuning?: LoopTuningOverrides;
}

/**
 * The average-latency control loop of one load scheduler: a state machine over pure steps. It holds no
 * timer, socket or clock: the caller feeds agent reports with `record` and calls `tick` every
 * evaluationInterval. Per tick it reads the signal window (tick-reading.ts: the latency signal with
 * stalls beyond chance, the error ratio, the overload condition against baseline × tolerance); without
 * evidence (no report, no flows) it passes through and forgets the throttle; without a baseline it
 * learns (baseline-learning.ts); otherwise it measures the backlog and runs the throttle's tick
 * (throttle.ts: cut, capacity floor, probe cap, additive increase, release) and, in pass-through
 * without overload, learns. States and transitions: loop-state.ts; constants: loop-tuning.ts.
 */
export class AverageLatencyLoop {
  #config: AverageLatencyLoopConfig;
  readonly #tuning: LoopTuning;
  readonly #window: SampleWindow;
  readonly #baseline: LatencyBaseline;
  readonly #errorBaseline: ErrorRatioBaseline;
  readonly #trace: LoopTransition[] = [];
  readonly #traceLength: number;
  #pending: TickSample = EMPTY_SAMPLE;
  #state: LoopState;
  #ticks = 0;
  #throttle: Throttle;
  /** The latest tick's reading; undefined before the first tick. */
  #reading: TickReading | undefined;
  #releasedUntilTick = 0;
  #releases = 0;
  #status: LoopStatus;

  constructor(options: AverageLatencyLoopOptions) {
    this.#config = options.config;
    this.#tuning = resolveLoopTuning(options.tuning);
    this.#traceLength = options.traceLength ?? 64;
    const tick = this.#config.evaluationIntervalMs;
    this.#window = new SampleWindow(Math.max(1, Math.round(this.#config.signalWindowMs / tick)));
    const learning = {
      windowTicks: this.#config.baselineWindowMs / tick,
      warmUpTicks: this.#config.warmUpMs / tick,
    };
    const restored = options.restoredBaseline;
    this.#baseline = new LatencyBaseline({ ...learning, ...(restored !== undefined ? { restored } : {}) });
    this.#errorBaseline = new ErrorRatioBaseline({
      ...learning,
      ...(restored?.errors !== undefined ? { restored: restored.errors } : {}),
    });
    this.#state = this.#baseline.ready ? 'pass-through' : 'warming-up';
    this.#throttle = this.#freshThrottle();
    this.#status = this.#makeStatus(false);
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
  get trace(): readonly LoopTransition[] {
    return this.#trace;
  }

  /** A new compile of the same scheduler: keeps the baseline and the throttle, takes new parameters. */
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
    return loadDecision(this.#config, { state: this.#state, desiredLoadMultiplier: this.#desired() });
  }

  /** Runs one control step over everything recorded since the previous tick. */
  tick(): TickResult {
    this.#ticks += 1;
    const latest = this.#pending;
    this.#pending = EMPTY_SAMPLE;
    this.#window.push(latest);
    const config = this.#config;
    const reading = readTick(
      {
        window: this.#window.totals(),
        windowSize: this.#window.size,
        latest,
        baselineMs: this.#baseline.valueMs(),
        baselineErrorRatio: this.#errorBaseline.ratio(),
        latencyToleranceMultiplier: config.latencyToleranceMultiplier,
        errorRatioTolerance: config.errorRatioTolerance,
      },
      this.#tuning,
    );
    this.#reading = reading;
    if (!reading.evidence) {
      // A throttle never outlives its evidence. A baseline still warming up stays in warming-up.
      if (this.#baseline.ready && this.#state !== 'no-signal')
        this.#transition(['pass-through', 'throttling', 'released'], 'no-signal', 'signal-lost');
      return this.#finish({ overloaded: false, released: false });
    }
    const { setpointMs, overload } = reading;
    if (setpointMs === undefined || overload === undefined) {
      this.#learn(latest, undefined);
      if (this.#baseline.ready && this.#state !== 'pass-through')
        this.#transition(
          ['warming-up', 'no-signal'],
          'pass-through',
          this.#state === 'warming-up' ? 'warmed-up' : 'signal-back',
        );
      return this.#finish({ overloaded: false, released: false });
    }

    const windowTicks = this.#window.lengthTicks;
    const measured = measureBacklog(
      this.#throttle,
      { latest, reading, overload, setpointMs, windowTicks, config },
      this.#tuning,
    );
    this.#throttle = measured.throttle;
    const { overloaded } = overload;
    if (this.#state === 'released') {
      if (this.#ticks < this.#releasedUntilTick) return this.#finish({ overloaded, released: false });
      this.#transition(['released'], 'pass-through', 'cooled-down');
    }
    if (this.#state === 'no-signal') this.#transition(['no-signal'], 'pass-through', 'signal-back');

    const throttling = this.#state === 'throttling';
    const step = throttleTick(
      this.#throttle,
      {
        tick: this.#ticks,
        throttling,
        reading,
        overload,
        setpointMs,
        backlogged: measured.backlogged,
        windowTicks,
        config,
      },
      this.#tuning,
    );
    this.#throttle = step.throttle;
    if (step.started) this.#transition(['pass-through'], 'throttling', 'overloaded');
    if (step.released) this.#transition(['throttling'], 'released', 'not-improving');
    if (step.recovered) this.#transition(['throttling'], 'pass-through', 'recovered');
    if (!overloaded && !throttling) this.#learn(latest, setpointMs);
    return this.#finish({ overloaded, released: step.released });
  }

  /** Teaches the baselines what this tick teaches (baseline-learning.ts). */
  #learn(latest: TickSample, setpointMs: number | undefined): void {
    const lesson = baselineLesson(
      {
        latest,
        setpointMs,
        baselineErrorRatio: this.#errorBaseline.ratio(),
        errorRatioTolerance: this.#config.errorRatioTolerance,
      },
      this.#tuning.chance,
    );
    if (lesson.latency !== undefined)
      this.#baseline.learn(lesson.latency.okCount, lesson.latency.okLatencySumMs);
    if (lesson.errors !== undefined)
      this.#errorBaseline.learn(lesson.errors.flowCount, lesson.errors.failedCount);
  }

  #desired(): number {
    return this.#state === 'throttling' ? this.#throttle.loadMultiplier : this.#config.maxLoadMultiplier;
  }

  #freshThrottle(): Throttle {
    return freshThrottle(this.#config, this.#tuning);
  }

  /**
   * The one way the state changes: from one of `allowedFrom` (never `to` itself) to `to`, traced, with
   * the on-entry effects of its reason. Any other call is a bug and throws.
   */
  #transition(allowedFrom: readonly LoopState[], to: LoopState, reason: LoopTransitionReason): void {
    const from = this.#state;
    if (from === to || !allowedFrom.includes(from))
      throw new Error(
        `control loop ${this.#config.policyName}/${this.#config.componentId}: transition ${from} -> ${to} (${reason}) is not allowed`,
      );
    this.#state = to;
    this.#trace.push({ tick: this.#ticks, from, to, reason });
    if (this.#trace.length > this.#traceLength) this.#trace.shift();
    switch (reason) {
      case 'warmed-up':
      case 'signal-back':
      case 'cooled-down':
      case 'overloaded':
        break;
      // A throttle that ends is forgotten with all it learnt, so none outlives its evidence.
      case 'recovered':
      case 'signal-lost':
        this.#throttle = this.#freshThrottle();
        break;
      case 'not-improving':
        this.#releases += 1;
        this.#throttle = this.#freshThrottle();
        // Pass through for as long as the throttle failed to help.
        this.#releasedUntilTick = this.#ticks + this.#config.releaseAfterWindows * this.#window.lengthTicks;
        break;
      default:
        throw new Error(`control loop: unknown transition reason ${String(reason)}`);
    }
  }

  #makeStatus(overloaded: boolean): LoopStatus {
    const baselineMs = this.#baseline.valueMs();
    const reading = this.#reading;
    return {
      state: this.#state,
      signalMs: reading?.signalMs,
      baselineMs,
      setpointMs: baselineMs === undefined ? undefined : baselineMs * this.#config.latencyToleranceMultiplier,
      overloaded,
      overloadCauses: overloaded ? (reading?.overload?.causes ?? []) : [],
      errorRatio: reading?.errors.ratio,
      baselineErrorRatio: this.#errorBaseline.ratio(),
      desiredLoadMultiplier: this.#desired(),
      observedLoadMultiplier: reading?.observedLoadMultiplier,
      capacityFloor:
        this.#throttle.capacity.ratio === undefined
          ? undefined
          : throttleFloor(this.#throttle, reading?.incomingPerTick ?? 0),
      releases: this.#releases,
      ticks: this.#ticks,
    };
  }

  #finish(input: { readonly overloaded: boolean; readonly released: boolean }): TickResult {
    this.#status = this.#makeStatus(input.overloaded);
    return { decision: this.decision(), status: this.#status, released: input.released };
  }
}
