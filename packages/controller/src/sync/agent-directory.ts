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
}

/** `CONTROL_POINT_TYPE_HTTP` → `http`. */
function typeName(type: syncV1.ControlPointType | undefined): string {
  return (type ?? 'CONTROL_POINT_TYPE_UNSPECIFIED').replace(/^CONTROL_POINT_TYPE_/, '').toLowerCase();
}

/** Connected agents and what they reported seeing. Pure bookkeeping; the sync server feeds it. */
export class AgentDirectory {
  readonly #agents = new Map<string, AgentRecord>();
  readonly #expiryMs: number;

  constructor(options: AgentDirectoryOptions = {}) {
    this.#expiryMs = options.controlPointExpiryMs ?? 60_000;
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

  report(agentId: string, report: syncV1.Report, nowMs: number): void {
    const record = this.#agents.get(agentId);
    if (record === undefined) return;
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
    for (const point of report.control_points ?? []) {
      const entry = {
        service: point.service ?? '',
        controlPoint: point.control_point ?? '',
        type: typeName(point.type),
        lastSeenMs: nowMs,
      };
      record.controlPoints.set(`${entry.service}\u0000${entry.controlPoint}\u0000${entry.type}`, entry);
    }
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
