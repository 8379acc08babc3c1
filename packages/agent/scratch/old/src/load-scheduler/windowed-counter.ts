export interface WindowedCounterOptions {
  /** Complete slots the rate is averaged over. @default 10 */
  readonly slots?: number;
  /** Slot length. @default 500 */
  readonly slotMs?: number;
}

/**
 * Default token-rate window: 5 s, the controller's default signal window. Aperture averages 30 s, which
 * after a load step makes the bucket fill at LM × a rate that still mostly reflects the calm before it,
 * so admission collapses below LM × the real load and the controller's next cut compounds it (seen in
 * the end-to-end tests). Half-second slots let the rate follow a step within a second or two.
 */
export const DEFAULT_WINDOW = { slots: 10, slotMs: 500 } as const;

/**
 * A step up in load is followed at once: when the last second's rate exceeds the window's mean by this
 * factor, the fill follows the last second. Below it the window's mean holds, so Poisson noise (a few
 * σ under 1.5× at tens of tokens per second) does not bias the fill upwards. A step down needs no such
 * rule: the mean overstates the load, which errs on the side of admitting.
 */
export const STEP_UP_FACTOR = 1.5;

/**
 * Recent incoming token rate: `slots` complete slots plus the current one. Until the window has
 * filled once the counter is bootstrapping (its rate would understate the load); a silence longer
 * than the whole window puts it back into bootstrapping, so traffic restarting after an outage is
 * not throttled on a near-empty count.
 */
export class WindowedCounter {
  readonly slots: number;
  readonly slotMs: number;
  private readonly counts: number[];
  /** Slot index of the first add since the last reset; undefined before any traffic. */
  private startSlot: number | undefined;
  /** Highest slot the ring has been cleared through. */
  private lastSlot = 0;
  private lastAddSlot = 0;

  constructor(options: WindowedCounterOptions = {}) {
    this.slots = options.slots ?? DEFAULT_WINDOW.slots;
    this.slotMs = options.slotMs ?? DEFAULT_WINDOW.slotMs;
    if (!Number.isInteger(this.slots) || this.slots < 1)
      throw new Error(`windowed counter slots ${this.slots} must be an integer >= 1`);
    if (!(this.slotMs > 0)) throw new Error(`windowed counter slotMs ${this.slotMs} must be > 0`);
    this.counts = new Array<number>(this.slots + 1).fill(0);
  }

  private slotOf(nowMs: number): number {
    return Math.floor(nowMs / this.slotMs);
  }

  /** Brings the ring up to `slot`, zeroing slots that saw no traffic; resets after a long silence. */
  private advanceTo(slot: number): void {
    if (this.startSlot === undefined) return;
    if (slot - this.lastAddSlot > this.slots) {
      this.startSlot = undefined;
      this.counts.fill(0);
      return;
    }
    for (let s = this.lastSlot + 1; s <= slot; s++) this.counts[s % this.counts.length] = 0;
    if (slot > this.lastSlot) this.lastSlot = slot;
  }

  add(nowMs: number, tokens: number): void {
    const slot = this.slotOf(nowMs);
    this.advanceTo(slot);
    if (this.startSlot === undefined) {
      this.startSlot = slot;
      this.lastSlot = slot;
    }
    if (slot > this.lastAddSlot) this.lastAddSlot = slot;
    const index = slot % this.counts.length;
    this.counts[index] = (this.counts[index] ?? 0) + tokens;
  }

  bootstrapping(nowMs: number): boolean {
    const slot = this.slotOf(nowMs);
    this.advanceTo(slot);
    return this.startSlot === undefined || slot - this.startSlot < this.slots;
  }

  /** Tokens per second over the complete slots (excludes the current, partial slot). */
  ratePerSecond(nowMs: number): number {
    return this.rateOver(nowMs, this.slots);
  }

  /**
   * The rate the load scheduler fills at: the window's mean, or the last second's rate after a step up
   * of at least STEP_UP_FACTOR (see there).
   */
  leadingRatePerSecond(nowMs: number): number {
    const mean = this.ratePerSecond(nowMs);
    const lastSecondSlots = Math.min(this.slots, Math.max(1, Math.round(1000 / this.slotMs)));
    const recent = this.rateOver(nowMs, lastSecondSlots);
    return recent > STEP_UP_FACTOR * mean ? recent : mean;
  }

  /** Tokens per second over the last `count` complete slots. */
  private rateOver(nowMs: number, count: number): number {
    const slot = this.slotOf(nowMs);
    this.advanceTo(slot);
    if (this.startSlot === undefined) return 0;
    let sum = 0;
    for (let s = slot - count; s < slot; s++) {
      if (s >= this.startSlot)
        sum += this.counts[((s % this.counts.length) + this.counts.length) % this.counts.length] ?? 0;
    }
    return (sum * 1000) / (count * this.slotMs);
  }
}
