import type { Clock } from '../clock/clock.js';

export type ControlPointType = 'http' | 'grpc' | 'feature';

export interface ControlPointEntry {
  readonly controlPoint: string;
  readonly service: string;
  readonly type: ControlPointType;
}

/** Epoch length: an entry lives 1–2 epochs (30–60 s) after its last flow. */
export const CONTROL_POINT_EPOCH_MS = 30_000;

/**
 * Control points discovered from traffic. Epoch-based expiry: an entry seen in the current or the
 * previous epoch is listed, so it disappears 30–60 s after its last flow without any timer.
 */
export class ControlPointRegistry {
  private readonly entries = new Map<string, { readonly entry: ControlPointEntry; epoch: number }>();
  private readonly sinceReport = new Map<string, ControlPointEntry>();

  constructor(private readonly clock: Clock) {}

  private epoch(): number {
    return Math.floor(this.clock.now() / CONTROL_POINT_EPOCH_MS);
  }

  /** Called on every Check and access-log record, and nearly always for a known entry: that allocates nothing. */
  record(entry: ControlPointEntry): void {
    const key = `${entry.service}\u0000${entry.controlPoint}\u0000${entry.type}`;
    const epoch = this.epoch();
    const seen = this.entries.get(key);
    if (seen === undefined) this.entries.set(key, { entry, epoch });
    else seen.epoch = epoch;
    if (!this.sinceReport.has(key)) this.sinceReport.set(key, entry);
  }

  /** Live entries sorted by service, then control point. */
  list(): ControlPointEntry[] {
    const epoch = this.epoch();
    const live: ControlPointEntry[] = [];
    for (const [key, value] of this.entries) {
      if (epoch - value.epoch > 1) this.entries.delete(key);
      else live.push(value.entry);
    }
    return live.sort(
      (a, b) => a.service.localeCompare(b.service) || a.controlPoint.localeCompare(b.controlPoint),
    );
  }

  /** Entries seen since the previous call (for the per-tick report). */
  drainRecent(): ControlPointEntry[] {
    const recent = [...this.sinceReport.values()];
    this.sinceReport.clear();
    return recent;
  }
}
