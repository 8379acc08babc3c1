/**
 * The soak's load: h2load at a fixed offered rate (`--rps` per connection) for the whole run, as
 * back-to-back segments. One h2load run per segment gives per-segment counts of Checks sent and
 * answered, and every segment opens fresh connections, so the agent also goes through hundreds of
 * connection set-ups and tear-downs: a handle leaked per connection would show.
 */
import type { H2loadSummary } from '../decision-path/h2load-output.js';
import { runH2load } from '../decision-path/h2load-runner.js';

export interface PacedLoadOptions {
  /** `http://127.0.0.1:PORT/envoy.service.auth.v3.Authorization/Check`. */
  readonly url: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** Offered Checks per second, all connections together. */
  readonly ratePerSecond: number;
  /** HTTP/2 connections (`-c`); the rate is split evenly between them. */
  readonly clients: number;
  /** Streams in flight per connection (`-m`): the cap on what queues in the agent. */
  readonly streamsPerClient: number;
  /** Planned length of one segment, ms (the last one is cut to fit). */
  readonly segmentMs: number;
  readonly log: (line: string) => void;
}

export interface SegmentResult {
  /** ms since the load started. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly summary: H2loadSummary;
}

/**
 * A segment's connections count as steady from this long after its h2load started (connections and
 * settings exchanged) until it exits. Before that the agent may still hold the previous segment's
 * closing sockets.
 */
const CONNECT_SETTLE_MS = 1_000;
/** A remainder shorter than this is not worth an h2load start. */
const MIN_SEGMENT_MS = 1_000;

export class PacedLoad {
  #segmentStartedAt: number | undefined;

  constructor(private readonly options: PacedLoadOptions) {}

  /** Whether the agent holds exactly one segment's connections now (see CONNECT_SETTLE_MS). */
  steady(): boolean {
    return (
      this.#segmentStartedAt !== undefined && performance.now() - this.#segmentStartedAt >= CONNECT_SETTLE_MS
    );
  }

  /**
   * Runs segments back to back until `durationMs` after `startedAt` (a performance.now() time).
   *
   * @throws Error from h2load (it exits non-zero or prints no summary); the segments so far are lost,
   *   which is right for a soak: the run did not complete.
   */
  async run(startedAt: number, durationMs: number): Promise<SegmentResult[]> {
    const { options } = this;
    const segments: SegmentResult[] = [];
    for (;;) {
      const remainingMs = startedAt + durationMs - performance.now();
      if (remainingMs < MIN_SEGMENT_MS) break;
      const lengthMs = Math.min(options.segmentMs, remainingMs);
      const requests = Math.max(options.clients, Math.round((options.ratePerSecond * lengthMs) / 1000));
      const begin = performance.now();
      this.#segmentStartedAt = begin;
      let result;
      try {
        result = await runH2load({
          url: options.url,
          body: options.body,
          headers: options.headers,
          requests,
          clients: options.clients,
          streamsPerClient: options.streamsPerClient,
          ratePerClient: options.ratePerSecond / options.clients,
        });
      } finally {
        this.#segmentStartedAt = undefined;
      }
      const end = performance.now();
      segments.push({ startedAtMs: begin - startedAt, endedAtMs: end - startedAt, summary: result.summary });
      const { summary } = result;
      const unanswered = summary.total - summary.succeeded;
      options.log(
        `  segment ${segments.length}: ${((end - startedAt) / 1000).toFixed(0)} s, ${summary.succeeded}/${summary.total} answered at ${Math.round(summary.requestsPerSecond)}/s` +
          (unanswered > 0
            ? ` (${summary.failed} failed, ${summary.errored} errored, ${summary.timedOut} timed out)`
            : ''),
      );
    }
    return segments;
  }
}
