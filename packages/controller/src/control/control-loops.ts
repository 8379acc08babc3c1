import type { AverageLatencyLoopConfig, CompiledPolicy, syncV1 } from '@sluice/spec';
import type { BaselineStore } from '../state/baseline-store.js';
import { AverageLatencyLoop } from './average-latency-loop.js';
import type { LoadDecision, TickResult } from './loop-status.js';
import { sampleForLoop } from './report-sample.js';

export interface ControlLoopsOptions {
  /** Restores baselines for new loops and receives them as they are learned. */
  readonly baselines?: BaselineStore;
  /** Save a learning loop's baseline every this many ticks. @default 10 */
  readonly persistEveryTicks?: number;
}

/** A loop and the tick schedule the set keeps for it. */
interface ScheduledLoop {
  readonly loop: AverageLatencyLoop;
  nextTickAtMs: number | undefined;
  ticksSincePersist: number;
}

export function loopKey(config: Pick<AverageLatencyLoopConfig, 'policyName' | 'componentId'>): string {
  return `${config.policyName}/${config.componentId}`;
}

/**
 * The control loops of every running average-latency load scheduler. It creates and retires loops
 * as policies change, routes agent reports to them, ticks each on its own evaluationInterval, and
 * persists baselines. It holds no timer: the caller passes the time to `tickDue`.
 */
export class ControlLoops {
  readonly #loops = new Map<string, ScheduledLoop>();
  readonly #baselines: BaselineStore | undefined;
  readonly #persistEvery: number;

  constructor(options: ControlLoopsOptions = {}) {
    this.#baselines = options.baselines;
    this.#persistEvery = options.persistEveryTicks ?? 10;
  }

  /** Brings the set in line with the running policies; a surviving loop keeps its state. */
  sync(policies: readonly CompiledPolicy[]): void {
    const wanted = new Map<string, AverageLatencyLoopConfig>();
    for (const policy of policies)
      for (const config of policy.controlLoops) wanted.set(loopKey(config), config);
    for (const [key, scheduled] of this.#loops) {
      if (!wanted.has(key)) {
        this.#persist(key, scheduled);
        this.#loops.delete(key);
      }
    }
    for (const [key, config] of wanted) {
      const existing = this.#loops.get(key);
      if (existing !== undefined) {
        existing.loop.reconfigure(config);
        continue;
      }
      const restored = this.#baselines?.load(key);
      const loop = new AverageLatencyLoop({
        config,
        ...(restored !== undefined ? { restoredBaseline: restored } : {}),
      });
      this.#loops.set(key, { loop, nextTickAtMs: undefined, ticksSincePersist: 0 });
    }
  }

  /** Routes one agent report to every loop it concerns. */
  record(report: syncV1.Report): void {
    for (const { loop } of this.#loops.values()) {
      const sample = sampleForLoop(report, loop.config);
      if (sample !== undefined) loop.record(sample);
    }
  }

  /** Ticks every loop whose evaluationInterval has come round by `nowMs`; returns their results. */
  tickDue(nowMs: number): { key: string; loop: AverageLatencyLoop; result: TickResult }[] {
    const results: { key: string; loop: AverageLatencyLoop; result: TickResult }[] = [];
    for (const [key, scheduled] of this.#loops) {
      const interval = scheduled.loop.config.evaluationIntervalMs;
      if (scheduled.nextTickAtMs === undefined) {
        // The first tick comes one interval after the loop appears, so it sees a full tick of reports.
        scheduled.nextTickAtMs = nowMs + interval;
        continue;
      }
      if (nowMs < scheduled.nextTickAtMs) continue;
      // After a stall (a suspended process) tick once and realign rather than replaying missed ticks.
      scheduled.nextTickAtMs = Math.max(scheduled.nextTickAtMs + interval, nowMs + 1);
      const result = scheduled.loop.tick();
      results.push({ key, loop: scheduled.loop, result });
      scheduled.ticksSincePersist += 1;
      // The baseline only changes while the loop learns (warm-up, pass-through); saving then is enough.
      const learning = result.status.state === 'pass-through' || result.status.state === 'warming-up';
      if (scheduled.ticksSincePersist >= this.#persistEvery && learning) this.#persist(key, scheduled);
    }
    return results;
  }

  /** Saves every baseline now (shutdown). */
  persistAll(): void {
    for (const [key, scheduled] of this.#loops) this.#persist(key, scheduled);
  }

  get(key: string): AverageLatencyLoop | undefined {
    return this.#loops.get(key)?.loop;
  }

  loops(): { key: string; loop: AverageLatencyLoop }[] {
    return [...this.#loops].map(([key, scheduled]) => ({ key, loop: scheduled.loop }));
  }

  /** The decisions in force, for an agent that just connected. */
  decisions(): LoadDecision[] {
    return [...this.#loops.values()].map(({ loop }) => loop.decision());
  }

  #persist(key: string, scheduled: ScheduledLoop): void {
    scheduled.ticksSincePersist = 0;
    this.#baselines?.save(key, scheduled.loop.baselineSnapshot());
  }
}
