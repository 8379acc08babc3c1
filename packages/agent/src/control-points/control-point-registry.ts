import type { Clock } from '@sluice/clock';

export type ControlPointType = 'http' | 'grpc' | 'feature';

export interface ControlPointEntry {
  readonly controlPoint: string;
  readonly service: string;
  readonly type: ControlPointType;
}

/** Epoch length: an entry lives 1–2 epochs (30–60 s) after its last flow. */
export const CONTROL_POINT_EPOCH_MS = 30_000;

/**
 * Entries the registry holds at most (and so lists, and reports per tick). Control points and
 * services come from requests; past this a new pair is not recorded (counted) until old ones expire,
 * so a client sending endless distinct names cannot grow memory, /v1/control-points or reports. A
 * pair already held keeps being refreshed, so the control points in use stay listed during a flood.
 */
export const MAX_CONTROL_POINT_ENTRIES = 1000;

export interface ControlPointRegistryOptions {
  /** @default MAX_CONTROL_POINT_ENTRIES */
  readonly maxEntries?: number;
  /** Told of each pair not recorded because the registry was full. */
  readonly onDropped?: () => void;
}

/**
 * Control points discovered from traffic. Epoch-based expiry: an entry seen in the current or the
 * previous epoch is listed, so it disappears 30–60 s after its last flow; expired entries are swept
 * when the epoch changes (on the next record or list), so memory follows live traffic, not history.
 */
export class ControlPointRegistry {
  private readonly entries = new Map<string, { readonly entry: ControlPointEntry; epoch: number }>();
  private readonly sinceReport = new Map<string, ControlPointEntry>();
  private readonly maxEntries: number;
  private sweptEpoch: number;

  constructor(
    private readonly clock: Clock,
    private readonly options: ControlPointRegistryOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? MAX_CONTROL_POINT_ENTRIES;
    this.sweptEpoch = this.epoch();
  }

  private epoch(): number {
    return Math.floor(this.clock.now() / CONTROL_POINT_EPOCH_MS);
  }

  /** Entries held now (live or awaiting their sweep). */
  get size(): number {
    return this.entries.size;
  }

  /** Called on every Check and access-log record, and nearly always for a known entry: that allocates nothing. */
  record(entry: ControlPointEntry): void {
    const key = `${entry.service}\u0000${entry.controlPoint}\u0000${entry.type}`;
    const epoch = this.epoch();
    if (epoch !== this.sweptEpoch) this.sweep(epoch);
    const seen = this.entries.get(key);
    if (seen !== undefined) seen.epoch = epoch;
    else if (this.entries.size < this.maxEntries) this.entries.set(key, { entry, epoch });
    else {
      this.options.onDropped?.();
      return;
    }
    if (!this.sinceReport.has(key)) this.sinceReport.set(key, entry);
  }

  /** Live entries sorted by service, then control point. */
  list(): ControlPointEntry[] {
    const epoch = this.epoch();
    if (epoch !== this.sweptEpoch) this.sweep(epoch);
    const live: ControlPointEntry[] = [];
    for (const value of this.entries.values()) live.push(value.entry);
    return live.sort(
      (a, b) => a.service.localeCompare(b.service) || a.controlPoint.localeCompare(b.controlPoint),
    );
  }

  /** Entries seen since the previous call (for the per-tick report); at most the registry's size. */
  drainRecent(): ControlPointEntry[] {
    const recent = [...this.sinceReport.values()];
    this.sinceReport.clear();
    return recent;
  }

  /** Drops entries last seen two epochs or more ago. */
  private sweep(epoch: number): void {
    this.sweptEpoch = epoch;
    for (const [key, value] of this.entries) if (epoch - value.epoch > 1) this.entries.delete(key);
  }
}
