import type { SchedulerTokenSource } from '../../src/load-scheduler/load-multiplier-bucket.js';

/** A bucket with a fixed fill rate (Aperture's BasicTokenBucket), to test WFQ on its own. */
export class FixedRateSource implements SchedulerTokenSource {
  private available: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    startMs: number,
    private readonly capacity = perSecond,
  ) {
    this.available = 0;
    this.last = startMs;
  }

  private refill(now: number): void {
    this.available = Math.min(this.capacity, this.available + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
  }

  bypass(): boolean {
    return false;
  }

  takeIfAvailable(now: number, tokens: number): boolean {
    this.refill(now);
    if (this.available < tokens) return false;
    this.available -= tokens;
    return true;
  }

  reserve(now: number, tokens: number): number {
    this.refill(now);
    if (this.perSecond <= 0) return Infinity;
    this.available -= tokens;
    return this.available >= 0 ? 0 : (-this.available * 1000) / this.perSecond;
  }

  giveBack(now: number, tokens: number): void {
    this.refill(now);
    this.available = Math.min(this.capacity, this.available + tokens);
  }
}
