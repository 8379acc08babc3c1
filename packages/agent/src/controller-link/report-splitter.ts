import type { syncV1 } from '@sluice/spec';

/** The kinds of report entry, as `report_entries_dropped_total` names them. */
export type ReportEntryKind = 'flux-meter' | 'token-counter' | 'control-point';

export interface SplitReport {
  /** Reports to send in order, each within the limit; one when the report fits whole. */
  readonly parts: syncV1.Report[];
  /** Entries that alone would pass the limit, left out. */
  readonly dropped: ReadonlyArray<{ readonly kind: ReportEntryKind; readonly count: number }>;
}

/**
 * Bytes kept free under the limit: the AgentMessage wrapper's length prefix and the sequence number
 * grow by a few bytes between measuring a part and sending it.
 */
const SLACK_BYTES = 64;

/**
 * Splits a report that would pass `maxBytes` into reports that each fit, so the stream never carries
 * a message the controller refuses (a refused message ends the whole stream). Each part carries the
 * report's header (time, interval) and a share of its entries; the controller adds deltas, so parts
 * add up to the whole. Protobuf sizes add: a report's size is its header's plus each entry's, so each
 * entry is measured once on its own. An entry larger than a whole message is left out and returned
 * in `dropped`.
 *
 * @param sizeOf serialized size in bytes of the message that carries a report
 */
export function splitReport(
  report: syncV1.Report,
  maxBytes: number,
  sizeOf: (report: syncV1.Report) => number,
): SplitReport {
  if (sizeOf(report) <= maxBytes - SLACK_BYTES) return { parts: [report], dropped: [] };
  const header: syncV1.Report = { ...report, flux_meters: [], token_counters: [], control_points: [] };
  const headerBytes = sizeOf(header);
  const room = maxBytes - SLACK_BYTES - headerBytes;
  const parts: syncV1.Report[] = [];
  const dropped = new Map<ReportEntryKind, number>();
  let current: syncV1.Report = { ...header, flux_meters: [], token_counters: [], control_points: [] };
  let used = 0;
  const place = <K extends 'flux_meters' | 'token_counters' | 'control_points'>(
    field: K,
    kind: ReportEntryKind,
    entry: NonNullable<syncV1.Report[K]>[number],
  ) => {
    const bytes = sizeOf({ ...header, [field]: [entry] }) - headerBytes;
    if (bytes > room) {
      dropped.set(kind, (dropped.get(kind) ?? 0) + 1);
      return;
    }
    if (used + bytes > room) {
      parts.push(current);
      current = { ...header, flux_meters: [], token_counters: [], control_points: [] };
      used = 0;
    }
    (current[field] as Array<typeof entry>).push(entry);
    used += bytes;
  };
  for (const entry of report.flux_meters ?? []) place('flux_meters', 'flux-meter', entry);
  for (const entry of report.token_counters ?? []) place('token_counters', 'token-counter', entry);
  for (const entry of report.control_points ?? []) place('control_points', 'control-point', entry);
  if (used > 0 || parts.length === 0) parts.push(current);
  return { parts, dropped: [...dropped].map(([kind, count]) => ({ kind, count })) };
}
