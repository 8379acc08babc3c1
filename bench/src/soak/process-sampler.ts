/**
 * Samples the agent process every few seconds for the soak: VmRSS from /proc/<pid>/status, the
 * entries of /proc/<pid>/fd, and from its /metrics prom-client's active handles, heap in use and the
 * Checks answered. /proc is read from outside, so a process whose metrics stall or lie is still
 * measured; the metrics add what /proc cannot see (timers and handles that hold no descriptor).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessSample } from './growth.js';

/** Agent metric names: prom-client's default metrics under the agent's `sluice_agent_` prefix. */
export const AGENT_METRICS = {
  activeHandles: 'sluice_agent_nodejs_active_handles_total',
  heapUsed: 'sluice_agent_nodejs_heap_size_used_bytes',
  checks: 'sluice_agent_checks_total',
  checkErrors: 'sluice_agent_check_errors_total',
  controllerMessages: 'sluice_agent_controller_messages_total',
  policyErrors: 'sluice_agent_policy_errors_total',
  loadDecisions: 'sluice_agent_load_decisions_total',
} as const;

/**
 * VmRSS in bytes from the text of `/proc/<pid>/status` (the kernel prints it in kB).
 *
 * @throws Error when there is no VmRSS line (not a status file, or a zombie).
 */
export function parseVmRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS line in /proc/<pid>/status: ${status.slice(0, 80)}`);
  return Number(match[1]) * 1024;
}

/**
 * The sum of every series of metric `name` in Prometheus text whose labels contain `labelFragment`
 * (all series without it); undefined when there is none. Summing matters for counters split by
 * label (checks by decision, errors by reason), where the first series alone undercounts.
 */
export function metricSum(text: string, name: string, labelFragment?: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labelFragment !== undefined && !rest.includes(labelFragment)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

/** The counters whose change over the soak is reported: read once before and once after. */
export interface AgentCounters {
  readonly checks: number;
  /** Checks the policy rejected (rate limiter or scheduler): shows the churned decisions took effect. */
  readonly checksRejected: number;
  readonly checkErrors: number;
  /** AgentSync `components` messages received (one per push, plus the first on connect). */
  readonly componentMessages: number;
  readonly policyErrors: number;
  /** Load decisions the agent ignored because they named a hash it no longer runs. */
  readonly staleHashDecisions: number;
}

export function agentCounters(metrics: string): AgentCounters {
  return {
    checks: metricSum(metrics, AGENT_METRICS.checks) ?? 0,
    checksRejected: metricSum(metrics, AGENT_METRICS.checks, 'decision="rejected"') ?? 0,
    checkErrors: metricSum(metrics, AGENT_METRICS.checkErrors) ?? 0,
    componentMessages: metricSum(metrics, AGENT_METRICS.controllerMessages, 'payload="components"') ?? 0,
    policyErrors: metricSum(metrics, AGENT_METRICS.policyErrors) ?? 0,
    staleHashDecisions: metricSum(metrics, AGENT_METRICS.loadDecisions, 'outcome="stale-hash"') ?? 0,
  };
}

export function countersDelta(before: AgentCounters, after: AgentCounters): AgentCounters {
  return {
    checks: after.checks - before.checks,
    checksRejected: after.checksRejected - before.checksRejected,
    checkErrors: after.checkErrors - before.checkErrors,
    componentMessages: after.componentMessages - before.componentMessages,
    policyErrors: after.policyErrors - before.policyErrors,
    staleHashDecisions: after.staleHashDecisions - before.staleHashDecisions,
  };
}

/** The agent's Prometheus text; rejects after 4 s so one stuck scrape cannot hold up a sample for long. */
export async function scrapeMetrics(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(4_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

export interface ProcessSamplerOptions {
  readonly pid: number;
  /** `http://127.0.0.1:PORT/metrics`. */
  readonly metricsUrl: string;
  readonly intervalMs: number;
  /** Time zero of the samples' `atMs` (performance.now() when the paced load started). */
  readonly startedAt: number;
  /** Whether the load's connections are steady now (not between two h2load segments). */
  readonly steadyConnections: () => boolean;
}

/**
 * Takes a sample every `intervalMs` until stopped. Samples never overlap: a slow scrape delays the
 * next tick rather than piling up requests on a busy agent.
 */
export class ProcessSampler {
  readonly #samples: ProcessSample[] = [];
  #scrapeFailures = 0;
  #lastScrapeError: string | undefined;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #crash: Error | undefined;

  constructor(private readonly options: ProcessSamplerOptions) {}

  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      this.#running = this.sample().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(tick, this.nextDelayMs());
      });
    };
    tick();
  }

  /** Keeps ticks on the grid (0, interval, 2 × interval, …) instead of drifting by each sample's cost. */
  private nextDelayMs(): number {
    const elapsed = performance.now() - this.options.startedAt;
    const interval = this.options.intervalMs;
    return Math.max(0, (Math.floor(elapsed / interval) + 1) * interval - elapsed);
  }

  private async sample(): Promise<void> {
    const { pid } = this.options;
    // /proc first and the scrape after, so the scrape's own socket is never in this sample's fd count.
    const steadyBefore = this.options.steadyConnections();
    const atMs = performance.now() - this.options.startedAt;
    let rssBytes: number;
    let openFds: number;
    try {
      rssBytes = parseVmRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
      openFds = readdirSync(`/proc/${pid}/fd`).length;
    } catch (error) {
      // The agent is gone: the soak cannot pass, and every later sample would fail the same way.
      this.#crash ??= new Error(`agent (pid ${pid}) could not be sampled: ${(error as Error).message}`);
      this.#stopped = true;
      return;
    }
    let metrics: string | undefined;
    try {
      metrics = await scrapeMetrics(this.options.metricsUrl);
    } catch (error) {
      this.#scrapeFailures++;
      this.#lastScrapeError = (error as Error).message;
    }
    const read = (name: string) => (metrics === undefined ? undefined : metricSum(metrics, name));
    this.#samples.push({
      atMs,
      rssBytes,
      openFds,
      activeHandles: read(AGENT_METRICS.activeHandles),
      heapUsedBytes: read(AGENT_METRICS.heapUsed),
      checksAnswered: read(AGENT_METRICS.checks),
      steadyConnections: steadyBefore && this.options.steadyConnections(),
    });
  }

  /** Stops after the sample in progress and returns every sample. */
  async stop(): Promise<{
    readonly samples: readonly ProcessSample[];
    readonly scrapeFailures: number;
    readonly lastScrapeError: string | undefined;
    readonly crash: Error | undefined;
  }> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    return {
      samples: [...this.#samples],
      scrapeFailures: this.#scrapeFailures,
      lastScrapeError: this.#lastScrapeError,
      crash: this.#crash,
    };
  }
}
