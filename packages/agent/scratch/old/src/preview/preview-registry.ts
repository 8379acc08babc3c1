import type { Clock, Timer } from '../clock/clock.js';
import { headerLabelKey, type HttpRequestAttributes } from '../flow-labels/request-labels.js';

/** A preview as the controller asks for it (validated). */
export interface PreviewSpec {
  readonly requestId: string;
  readonly controlPoint: string;
  /** Empty: any service. */
  readonly service: string;
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly samples: number;
  readonly timeoutMs: number;
  readonly kind: 'flow-labels' | 'http-request';
}

/** The answer to one preview (sent once, when done). */
export interface PreviewAnswer {
  readonly requestId: string;
  readonly flowLabels: Array<Record<string, string>>;
  readonly httpRequests: string[];
  readonly error?: string;
}

/** A flow offered to running previews. */
export interface PreviewFlow {
  readonly controlPoint: string;
  readonly services: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly http: HttpRequestAttributes;
}

/** Longest a preview may run, whatever it asks: Aperture's previews could block forever. */
export const MAX_PREVIEW_TIMEOUT_MS = 300_000;
export const MAX_PREVIEW_SAMPLES = 1000;
const REDACTED = '<redacted>';

interface Running {
  readonly spec: PreviewSpec;
  readonly answer: (answer: PreviewAnswer) => void;
  readonly flowLabels: Array<Record<string, string>>;
  readonly httpRequests: string[];
  readonly timer: Timer;
}

/**
 * Open previews. Each collects N matching flows or stops at its timeout (or a cancel) and answers
 * once. Credential headers are redacted in both label and request samples.
 */
export class PreviewRegistry {
  private readonly running = new Map<string, Running>();
  private readonly redacted: ReadonlySet<string>;

  constructor(
    private readonly clock: Clock,
    redactedHeaders: readonly string[],
  ) {
    this.redacted = new Set(redactedHeaders.map((name) => name.toLowerCase()));
  }

  get size(): number {
    return this.running.size;
  }

  /** Starts a preview; answers at once with an error when the request is unusable. */
  start(spec: PreviewSpec, answer: (answer: PreviewAnswer) => void): void {
    const problem =
      spec.requestId === ''
        ? 'request_id is empty'
        : spec.controlPoint === ''
          ? 'control_point is empty'
          : !(spec.samples >= 1 && spec.samples <= MAX_PREVIEW_SAMPLES)
            ? `samples ${spec.samples} must be between 1 and ${MAX_PREVIEW_SAMPLES}`
            : this.running.has(spec.requestId)
              ? `preview ${spec.requestId} is already running`
              : undefined;
    if (problem !== undefined) {
      answer({ requestId: spec.requestId, flowLabels: [], httpRequests: [], error: problem });
      return;
    }
    const timeoutMs =
      spec.timeoutMs > 0 ? Math.min(spec.timeoutMs, MAX_PREVIEW_TIMEOUT_MS) : MAX_PREVIEW_TIMEOUT_MS;
    const running: Running = {
      spec,
      answer,
      flowLabels: [],
      httpRequests: [],
      timer: this.clock.setTimer(() => this.finish(spec.requestId), timeoutMs),
    };
    this.running.set(spec.requestId, running);
  }

  cancel(requestId: string): void {
    this.finish(requestId);
  }

  /** Ends every preview (stream closed): nobody is left to answer. */
  clear(): void {
    for (const running of this.running.values()) running.timer.cancel();
    this.running.clear();
  }

  private finish(requestId: string): void {
    const running = this.running.get(requestId);
    if (running === undefined) return;
    running.timer.cancel();
    this.running.delete(requestId);
    running.answer({ requestId, flowLabels: running.flowLabels, httpRequests: running.httpRequests });
  }

  offer(flow: PreviewFlow): void {
    if (this.running.size === 0) return;
    for (const running of [...this.running.values()]) {
      const spec = running.spec;
      if (spec.controlPoint !== flow.controlPoint) continue;
      if (spec.service !== '' && spec.service !== 'any' && !flow.services.includes(spec.service)) continue;
      if (!Object.entries(spec.matchLabels).every(([key, value]) => flow.labels[key] === value)) continue;
      if (spec.kind === 'flow-labels') running.flowLabels.push(this.redactLabels(flow.labels));
      else running.httpRequests.push(JSON.stringify(this.requestDocument(flow.http)));
      if (running.flowLabels.length + running.httpRequests.length >= spec.samples)
        this.finish(spec.requestId);
    }
  }

  private redactLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = { ...labels };
    for (const name of this.redacted) {
      const key = headerLabelKey(name);
      if (key in out) out[key] = REDACTED;
    }
    return out;
  }

  /** The request as classifiers see it, credentials redacted. */
  private requestDocument(http: HttpRequestAttributes): Record<string, unknown> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(http.headers))
      headers[name] = this.redacted.has(name.toLowerCase()) ? REDACTED : value;
    const queryAt = http.path.indexOf('?');
    const bare = queryAt >= 0 ? http.path.slice(0, queryAt) : http.path;
    const parsedQuery: Record<string, string[]> = {};
    if (queryAt >= 0) {
      for (const [key, value] of new URLSearchParams(http.path.slice(queryAt + 1)))
        (parsedQuery[key] ??= []).push(value);
    }
    const contentLength = Number(http.headers['content-length']);
    return {
      request: {
        http: {
          method: http.method,
          path: http.path,
          host: http.host,
          scheme: http.scheme,
          protocol: http.protocol,
          size: http.size,
          headers,
        },
      },
      parsed_path: bare.split('/').filter((segment) => segment !== ''),
      parsed_query: parsedQuery,
      truncated_body: Number.isFinite(contentLength) && http.body.length < contentLength,
    };
  }
}
