/**
 * Client-side latency and outcome of requests sent at the same moments to several HTTP targets (the
 * upstream directly and through a proxy, or two kinds of request through one proxy), open loop at a
 * fixed rate: what one path adds over the other is measured under the same machine load, so a stall
 * of the shared machine hits both. Keep-alive connections per target, warmed before measuring, so no
 * sample pays for a TCP handshake the other did not.
 */
import { Agent, request } from 'node:http';
import { DECISION_HEADER, summarizeLatencies, type LatencySummary } from '@sluice/demo';
import { openLoop } from './open-loop.js';

export interface ProbeSeries {
  readonly sent: number;
  /** Answers by status code. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Answers by `x-sluice-decision` (`none` when absent). */
  readonly decisions: Readonly<Record<string, number>>;
  /** No answer (connection error or the 10 s timeout). */
  readonly failed: number;
  /** ms from sending to the end of the answer, every answered request. */
  readonly latency: LatencySummary;
}

interface Answer {
  readonly latencyMs: number;
  readonly status: number;
  readonly decision: string;
}

/** Where a probe sends: a base URL, and the headers of the request with each index. */
export interface ProbeTarget {
  readonly url: string;
  readonly headers?: (index: number) => Readonly<Record<string, string>>;
}

export class PairedProbe {
  readonly #agents = new Map<string, Agent>();
  readonly #targets: ReadonlyMap<string, ProbeTarget>;

  /** @param targets name → base URL or target, e.g. `{ direct: 'http://127.0.0.1:8099' }` */
  constructor(targets: Readonly<Record<string, string | ProbeTarget>>) {
    this.#targets = new Map(
      Object.entries(targets).map(([name, target]) => [
        name,
        typeof target === 'string' ? { url: target } : target,
      ]),
    );
    for (const name of this.#targets.keys())
      this.#agents.set(name, new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }));
  }

  /**
   * Sends one request to every target `ratePerSecond` times a second for `durationMs` (or until
   * `signal` aborts), and resolves once every answer is in.
   */
  async run(options: {
    readonly ratePerSecond: number;
    readonly durationMs: number;
    readonly signal?: AbortSignal;
    readonly path?: string;
  }): Promise<Record<string, ProbeSeries>> {
    const names = [...this.#targets.keys()];
    const rounds = await openLoop(options, (round) =>
      Promise.all(names.map((name) => this.#send(name, round, options.path ?? '/request'))),
    );
    const series: Record<string, ProbeSeries> = {};
    for (const [index, name] of names.entries()) {
      const settled = rounds.map((round) => round[index]);
      const answered = settled.filter((answer): answer is Answer => answer !== undefined);
      const statuses: Record<string, number> = {};
      const decisions: Record<string, number> = {};
      for (const answer of answered) {
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        decisions[answer.decision] = (decisions[answer.decision] ?? 0) + 1;
      }
      series[name] = {
        sent: settled.length,
        statuses,
        decisions,
        failed: settled.length - answered.length,
        latency: summarizeLatencies(answered.map((answer) => answer.latencyMs)),
      };
    }
    return series;
  }

  close(): void {
    for (const agent of this.#agents.values()) agent.destroy();
  }

  #send(name: string, round: number, path: string): Promise<Answer | undefined> {
    const target = this.#targets.get(name);
    const agent = this.#agents.get(name);
    const headers = target?.headers?.(round) ?? {};
    const sentAt = performance.now();
    return new Promise((resolve) => {
      const call = request(new URL(path, target?.url), { agent, headers }, (response) => {
        response.resume();
        response.once('end', () => {
          const decision = response.headers[DECISION_HEADER];
          resolve({
            latencyMs: performance.now() - sentAt,
            status: response.statusCode ?? 0,
            decision: typeof decision === 'string' ? decision : 'none',
          });
        });
        response.once('error', () => resolve(undefined));
      });
      call.setTimeout(10_000, () => call.destroy());
      call.once('error', () => resolve(undefined));
      call.end();
    });
  }
}
