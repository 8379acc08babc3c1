import type { Clock } from '@sluice/clock';
import { newBucketState, refill, takeFromState, type BucketState } from './bucket-fill.js';
import type { BucketStore, BucketTake, BucketTakeResult } from './bucket-store.js';

export interface LocalBucketStoreOptions {
  readonly clock: Clock;
  /**
   * A bucket untouched this long is forgotten (it would be full again anyway once idle for
   * capacity ÷ fill). @default 7_200_000 (2 h, Aperture's max_idle_time)
   */
  readonly maxIdleMs?: number;
}

interface Entry {
  readonly state: BucketState;
  lastUsedMs: number;
}

/** Per-agent buckets in memory: the embedded default backend and Redis's fallback. */
export class LocalBucketStore implements BucketStore {
  private readonly buckets = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly maxIdleMs: number;
  private takesSinceSweep = 0;

  constructor(options: LocalBucketStoreOptions) {
    this.clock = options.clock;
    this.maxIdleMs = options.maxIdleMs ?? 7_200_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  takeNow(request: BucketTake): BucketTakeResult {
    const now = this.clock.now();
    this.sweepOccasionally(now);
    let entry = this.buckets.get(request.key);
    if (entry === undefined) {
      entry = { state: newBucketState(request.parameters, now), lastUsedMs: now };
      this.buckets.set(request.key, entry);
    }
    entry.lastUsedMs = now;
    const result = takeFromState(entry.state, request.parameters, request.tokens, now);
    return { allowed: result.allowed, remaining: result.remaining, waitMs: result.waitMs, source: 'local' };
  }

  take(request: BucketTake): Promise<BucketTakeResult> {
    return Promise.resolve(this.takeNow(request));
  }

  giveBackNow(request: BucketTake): void {
    const entry = this.buckets.get(request.key);
    if (entry === undefined) return;
    refill(entry.state, request.parameters, this.clock.now());
    entry.state.available = Math.min(request.parameters.capacity, entry.state.available + request.tokens);
  }

  giveBack(request: BucketTake): Promise<void> {
    this.giveBackNow(request);
    return Promise.resolve();
  }

  /** Bounded memory with unbounded label values: drop idle buckets every 1024 takes. */
  private sweepOccasionally(now: number): void {
    if (++this.takesSinceSweep < 1024) return;
    this.takesSinceSweep = 0;
    for (const [key, entry] of this.buckets) {
      if (now - entry.lastUsedMs > this.maxIdleMs) this.buckets.delete(key);
    }
  }
}
