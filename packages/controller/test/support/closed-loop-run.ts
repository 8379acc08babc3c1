import type { AverageLatencyLoopConfig } from '@sluice/spec';
import { AverageLatencyLoop } from '../../src/control/average-latency-loop.js';
import type { TickResult } from '../../src/control/loop-status.js';
import type { BaselineState } from '../../src/control/latency-baseline.js';
import { sampleForLoop } from '../../src/control/report-sample.js';
import { DemoUpstreamPlant, type PlantOptions } from './demo-upstream-plant.js';
import { loopConfig } from './loop-config.js';

/** One controller tick of a closed-loop run. */
export interface ClosedLoopTick extends TickResult {
  readonly atMs: number;
  /** Mean OK latency of the reports that arrived during this tick, ms (NaN if none). */
  readonly reportedLatencyMs: number;
  readonly completed: number;
  /** Admitted flows that ended in the reports of this tick: completed plus stalled. */
  readonly flows: number;
  /** Of those, failed on the server's side (5xx or stalled), and stalled. */
  readonly failed: number;
  readonly stalled: number;
}

/**
 * Drives an AverageLatencyLoop against the plant in simulated time. Agent reports arrive on whole
 * seconds; controller ticks run half a second later (they are not aligned in reality either), and a
 * decision reaches the agent at once, as the sync server pushes it on the tick.
 */
export class ClosedLoopRun {
  readonly plant: DemoUpstreamPlant;
  readonly loop: AverageLatencyLoop;
  readonly ticks: ClosedLoopTick[] = [];
  readonly config: AverageLatencyLoopConfig;

  constructor(
    options: {
      plant?: Partial<PlantOptions>;
      config?: Partial<AverageLatencyLoopConfig>;
      restoredBaseline?: BaselineState;
    } = {},
  ) {
    this.config = loopConfig(options.config);
    this.plant = new DemoUpstreamPlant({
      policyName: this.config.policyName,
      componentId: this.config.componentId,
      fluxMeterName: this.config.fluxMeterName,
      ...options.plant,
    });
    this.loop = new AverageLatencyLoop({
      config: this.config,
      ...(options.restoredBaseline !== undefined ? { restoredBaseline: options.restoredBaseline } : {}),
    });
  }

  /** Runs whole ticks until simulated time reaches `untilMs`. */
  runUntil(untilMs: number): void {
    const interval = this.config.evaluationIntervalMs;
    let next = (this.ticks.at(-1)?.atMs ?? interval / 2 - interval) + interval;
    while (next <= untilMs) {
      let count = 0;
      let sum = 0;
      let completed = 0;
      let stalled = 0;
      let failed = 0;
      for (const report of this.plant.runUntil(next)) {
        const sample = sampleForLoop(report, this.config);
        if (sample === undefined) continue;
        count += sample.okCount;
        sum += sample.okLatencySumMs;
        completed += sample.completedCount;
        stalled += sample.stalledCount;
        failed += sample.failedCount;
        this.loop.record(sample);
      }
      const result = this.loop.tick();
      this.plant.applyDecision(result.decision);
      this.ticks.push({
        ...result,
        atMs: next,
        reportedLatencyMs: count > 0 ? sum / count : Number.NaN,
        completed,
        flows: completed + stalled,
        failed,
        stalled,
      });
      next += interval;
    }
  }

  /** Ticks whose time lies in [fromMs, toMs). */
  between(fromMs: number, toMs: number): ClosedLoopTick[] {
    return this.ticks.filter((tick) => tick.atMs >= fromMs && tick.atMs < toMs);
  }
}
