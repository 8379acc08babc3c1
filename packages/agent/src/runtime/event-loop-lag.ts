import { systemClockUnref, type Clock, type TimerHandle } from '@sluice/clock';

/**
 * Estimates event-loop lag by how late a short repeating timer fires. The estimate is the worst
 * lateness over the last second: queue timeouts are shortened by it so a lagging loop still
 * answers before Envoy's deadline.
 */
export class EventLoopLagMonitor {
  private timer: TimerHandle | undefined;
  private samples: Array<{ at: number; lag: number }> = [];

  constructor(
    private readonly intervalMs = 20,
    /** Called after each sample with the current estimate (the agent mirrors it into a gauge). */
    private readonly onEstimate?: (lagMs: number) => void,
    /** Real time by default: the monitor measures the process's own loop. Unref'd, so it never holds the process. */
    private readonly clock: Clock = systemClockUnref,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    let expected = this.clock.now() + this.intervalMs;
    this.timer = this.clock.setInterval(this.intervalMs, () => {
      const now = this.clock.now();
      this.samples.push({ at: now, lag: Math.max(0, now - expected) });
      expected = now + this.intervalMs;
      this.samples = this.samples.filter((sample) => now - sample.at <= 1000);
      this.onEstimate?.(this.lagMs());
    });
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Worst lag seen in the last second, in ms (0 before any sample). */
  lagMs(): number {
    let worst = 0;
    for (const sample of this.samples) worst = Math.max(worst, sample.lag);
    return worst;
  }
}
