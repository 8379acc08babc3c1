import { WindowedCounter, type WindowedCounterOptions } from './windowed-counter.js';

/** Token source the WFQ scheduler draws from. */
export interface SchedulerTokenSource {
  /** True when the flow needs no tokens right now (pass-through or bootstrapping). */
  bypass(nowMs: number): boolean;
  /** Takes `tokens` only if they are all there now. */
  takeIfAvailable(nowMs: number, tokens: number): boolean;
  /**
   * Reserves `tokens` (the balance may go negative) and returns the ms until they are covered,
   * or Infinity (reserving nothing) when the bucket does not fill.
   */
  reserve(nowMs: number, tokens: number): number;
  giveBack(nowMs: number, tokens: number): void;
}

/**
 * Largest load multiplier applied. Anything above admits far more than the recent load, i.e.
 * it is effectively pass-through; the cap only keeps arithmetic finite.
 */
export const MAX_LOAD_MULTIPLIER = 1000;

/** NaN and negatives → 0, +∞ or absurdly large → MAX_LOAD_MULTIPLIER. Never throws. */
export function clampLoadMultiplier(value: number): { value: number; clamped: boolean } {
  if (Number.isNaN(value) || value < 0) return { value: 0, clamped: true };
  if (value > MAX_LOAD_MULTIPLIER) return { value: MAX_LOAD_MULTIPLIER, clamped: true };
  return { value, clamped: false };
}

/**
 * The load scheduler's bucket: fill rate = recent incoming token rate × load multiplier, capacity
 * = one second of fill. The fill rate tracks the incoming rate continuously (recomputed when a
 * counter slot closes or the multiplier changes), so a decision pushed every second takes effect
 * at once rather than at the next 10 s actuation as in Aperture.
 */
export class LoadMultiplierBucket implements SchedulerTokenSource {
  readonly counter: WindowedCounter;
  private loadMultiplier: number | undefined;
  private passThrough = true;
  private available = 0;
  private lastFillMs: number | undefined;
  private fillPerMs = 0;
  private capacity = 0;
  private rateSlot = Number.NaN;
  private wasBootstrapping = true;

  constructor(options: WindowedCounterOptions = {}) {
    this.counter = new WindowedCounter(options);
  }

  /** Records a flow's tokens before its admission is decided (rejected flows count too). */
  recordIncoming(nowMs: number, tokens: number): void {
    this.counter.add(nowMs, tokens);
  }

  /** Applies a decision. Returns whether the multiplier had to be clamped. */
  setLoadMultiplier(nowMs: number, multiplier: number): boolean {
    const { value, clamped } = clampLoadMultiplier(multiplier);
    this.refill(nowMs);
    const leavingPassThrough = this.passThrough;
    this.loadMultiplier = value;
    this.passThrough = false;
    this.recompute(nowMs, true);
    if (leavingPassThrough) {
      // Throttling starts from a full bucket (one second of fill), not from whatever balance an
      // earlier throttling period left behind.
      this.available = this.capacity;
      this.lastFillMs = nowMs;
    }
    return clamped;
  }

  /** No valid decision: admit everything until the next one. */
  setPassThrough(): void {
    this.passThrough = true;
  }

  get isPassThrough(): boolean {
    return this.passThrough;
  }

  get currentLoadMultiplier(): number | undefined {
    return this.passThrough ? undefined : this.loadMultiplier;
  }

  fillRatePerSecond(nowMs: number): number {
    this.recompute(nowMs, false);
    return this.fillPerMs * 1000;
  }

  availableTokens(nowMs: number): number {
    this.refill(nowMs);
    return this.available;
  }

  bypass(nowMs: number): boolean {
    if (this.passThrough) return true;
    const bootstrapping = this.counter.bootstrapping(nowMs);
    if (bootstrapping) {
      this.wasBootstrapping = true;
      return true;
    }
    if (this.wasBootstrapping) {
      // Leaving bootstrapping: start from a full bucket at the now-known rate.
      this.wasBootstrapping = false;
      this.recompute(nowMs, true);
      this.available = this.capacity;
      this.lastFillMs = nowMs;
    }
    return false;
  }

  takeIfAvailable(nowMs: number, tokens: number): boolean {
    this.refill(nowMs);
    if (this.available >= tokens) {
      this.available -= tokens;
      return true;
    }
    return false;
  }

  reserve(nowMs: number, tokens: number): number {
    this.refill(nowMs);
    if (this.fillPerMs <= 0) return this.available >= tokens ? ((this.available -= tokens), 0) : Infinity;
    this.available -= tokens;
    return this.available >= 0 ? 0 : -this.available / this.fillPerMs;
  }

  giveBack(nowMs: number, tokens: number): void {
    if (this.passThrough) return;
    this.refill(nowMs);
    this.available = Math.min(this.capacity, this.available + tokens);
  }

  private recompute(nowMs: number, force: boolean): void {
    const slot = Math.floor(nowMs / this.counter.slotMs);
    if (!force && slot === this.rateSlot) return;
    this.rateSlot = slot;
    const multiplier = this.loadMultiplier ?? 0;
    const perSecond = this.counter.leadingRatePerSecond(nowMs) * multiplier;
    this.fillPerMs = perSecond / 1000;
    this.capacity = perSecond;
    if (this.available > this.capacity) this.available = this.capacity;
  }

  private refill(nowMs: number): void {
    this.recompute(nowMs, false);
    if (this.lastFillMs === undefined) {
      this.lastFillMs = nowMs;
      return;
    }
    const elapsed = nowMs - this.lastFillMs;
    if (elapsed > 0) {
      this.available = Math.min(this.capacity, this.available + elapsed * this.fillPerMs);
      this.lastFillMs = nowMs;
    }
  }
}
