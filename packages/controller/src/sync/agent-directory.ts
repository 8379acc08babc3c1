import type { syncV1 } from '@sluice/spec';

/** One connected agent as the API shows it. */
export interface AgentView {
  readonly agentId: string;
  readonly hostname: string;
  readonly agentGroup: string;
  readonly version: string;
  readonly capabilities: readonly string[];
  readonly connectedAtMs: number;
  readonly lastReportAtMs: number | undefined;
  readonly reports: number;
  /** Reports the agent numbered but the controller never received (sequence gaps). */
  readonly missedReports: number;
}

/** A control point merged over agents: one row per agent group, service, name and type. */
export interface ControlPointView {
  readonly agentGroup: string;
  readonly service: string;
  readonly controlPoint: string;
  readonly type: string;
  /** Agents that saw traffic on it within the expiry. */
  readonly agents: number;
  readonly lastSeenMs: number;
}

interface AgentRecord {
  view: AgentView;
  lastSequence: number;
  controlPoints: Map<string, { service: string; controlPoint: string; type: string; lastSeenMs: number }>;
}

export interface AgentDirectoryOptions {
  /** A control point without traffic for this long disappears. @default 60000 */
  readonly controlPointExpiryMs?: number;
  /** Control points kept per agent; a report's new ones past it are dropped and counted. @default 1000 */
  readonly maxControlPointsPerAgent?: number;
  /** Longest service or control point name kept (UTF-16 code units); longer ones are dropped and counted. @default 1024 */
  readonly maxNameLength?: number;
}

/** What a report did to the directory: control points it could not keep, by reason. */
export interface ReportOutcome {
  /** New control points past the agent's cap. */
  readonly droppedOverCap: number;
  /** Control points whose service or name is longer than the limit. */
  readonly droppedTooLong: number;
}

/** `CONTROL_POINT_TYPE_HTTP` → `http`. */
function typeName(type: syncV1.ControlPointType | undefined): string {
  return (type ?? 'CONTROL_POINT_TYPE_UNSPECIFIED').replace(/^CONTROL_POINT_TYPE_/, '').toLowerCase();
}

/**
 * Connected agents and what they reported seeing. Pure bookkeeping; the sync server feeds it and the
 * controller calls `expire` on a timer, so memory held for control points no agent sees any more is
 * released whether or not anyone reads them. Each agent keeps at most `maxControlPointsPerAgent`
 * entries of bounded names: a report cannot grow the controller without bound.
 */
export class AgentDirectory {
  readonly #agents = new Map<string, AgentRecord>();
  readonly #expiryMs: number;
  readonly #maxPerAgent: number;
  readonly #maxNameLength: number;

  constructor(options: AgentDirectoryOptions = {}) {
    this.#expiryMs = options.controlPointExpiryMs ?? 60_000;
    this.#maxPerAgent = options.maxControlPointsPerAgent ?? 1000;
    this.#maxNameLength = options.maxNameLength ?? 1024;
  }

  /** How long a control point without traffic is kept. */
  get expiryMs(): number {
    return this.#expiryMs;
  }

  /** Registers an agent from its hello; a second stream with the same id replaces the first. */
  register(hello: syncV1.Hello, nowMs: number): AgentView {
    const view: AgentView = {
      agentId: hello.agent_id ?? '',
      hostname: hello.hostname ?? '',
      agentGroup: hello.agent_group !== undefined && hello.agent_group !== '' ? hello.agent_group : 'default',
      version: hello.version ?? '',
      capabilities: [...(hello.capabilities ?? [])],
      connectedAtMs: nowMs,
      lastReportAtMs: undefined,
      reports: 0,
      missedReports: 0,
    };
    this.#agents.set(view.agentId, { view, lastSequence: 0, controlPoints: new Map() });
    return view;
  }

  forget(agentId: string): void {
    this.#agents.delete(agentId);
  }

  report(agentId: string, report: syncV1.Report, nowMs: number): ReportOutcome {
    const record = this.#agents.get(agentId);
    if (record === undefined) return { droppedOverCap: 0, droppedTooLong: 0 };
    const sequence = report.sequence ?? 0;
    const missed =
      record.lastSequence > 0 && sequence > record.lastSequence + 1 ? sequence - record.lastSequence - 1 : 0;
    record.lastSequence = Math.max(record.lastSequence, sequence);
    record.view = {
      ...record.view,
      lastReportAtMs: nowMs,
      reports: record.view.reports + 1,
      missedReports: record.view.missedReports + missed,
    };
    let droppedOverCap = 0;
    let droppedTooLong = 0;
    for (const point of report.control_points ?? []) {
      const service = point.service ?? '';
      const controlPoint = point.control_point ?? '';
      if (service.length > this.#maxNameLength || controlPoint.length > this.#maxNameLength) {
        droppedTooLong += 1;
        continue;
      }
      const type = typeName(point.type);
      const key = `${service}\u0000${controlPoint}\u0000${type}`;
      const existing = record.controlPoints.get(key);
      if (existing !== undefined) {
        existing.lastSeenMs = nowMs;
        continue;
      }
      if (record.controlPoints.size >= this.#maxPerAgent) {
        droppedOverCap += 1;
        continue;
      }
      record.controlPoints.set(key, { service, controlPoint, type, lastSeenMs: nowMs });
    }
    return { droppedOverCap, droppedTooLong };
  }

  /**
   * Removes control points without traffic for longer than the expiry; the controller calls it on a
   * timer. Returns how many remain (summed over agents).
   */
  expire(nowMs: number): number {
    let remaining = 0;
    for (const record of this.#agents.values()) {
      for (const [key, point] of record.controlPoints)
        if (nowMs - point.lastSeenMs > this.#expiryMs) record.controlPoints.delete(key);
      // A Map keeps its grown table after deletes; a fresh one lets the old table be collected.
      if (record.controlPoints.size === 0) record.controlPoints = new Map();
      remaining += record.controlPoints.size;
    }
    return remaining;
  }

  /** Control points held, summed over agents (expired ones included until the next sweep). */
  get size(): number {
    let total = 0;
    for (const record of this.#agents.values()) total += record.controlPoints.size;
    return total;
  }

  get(agentId: string): AgentView | undefined {
    return this.#agents.get(agentId)?.view;
  }

  agents(): AgentView[] {
    return [...this.#agents.values()]
      .map((record) => record.view)
      .sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
  }

  /** Control points seen within the expiry, merged over agents, sorted. */
  controlPoints(nowMs: number): ControlPointView[] {
    const merged = new Map<string, ControlPointView>();
    for (const record of this.#agents.values()) {
      for (const [key, point] of record.controlPoints) {
        if (nowMs - point.lastSeenMs > this.#expiryMs) {
          record.controlPoints.delete(key);
          continue;
        }
        const mergedKey = `${record.view.agentGroup}\u0000${key}`;
        const existing = merged.get(mergedKey);
        merged.set(mergedKey, {
          agentGroup: record.view.agentGroup,
          service: point.service,
          controlPoint: point.controlPoint,
          type: point.type,
          agents: (existing?.agents ?? 0) + 1,
          lastSeenMs: Math.max(existing?.lastSeenMs ?? 0, point.lastSeenMs),
        });
      }
    }
    const sortKey = (row: ControlPointView) =>
      `${row.agentGroup}\u0000${row.service}\u0000${row.controlPoint}\u0000${row.type}`;
    return [...merged.values()].sort((a, b) =>
      sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0,
    );
  }
}
