import type { Clock, TimerHandle } from '@sluice/clock';
import { REDACTED_VALUE as REDACTED } from '../flow-labels/flow-labels.js';
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
  /** Labels taken from redacted headers (by classifiers): shown as `<redacted>`. */
  readonly redactedLabels?: ReadonlySet<string>;
  readonly http: HttpRequestAttributes;
}

/** Why a preview was refused or cut short, as `previews_refused_total` counts it. */
export type PreviewRefusal = 'concurrency' | 'sample-bytes' | 'invalid';

export interface PreviewLimits {
  /** Previews running at once; more are refused. @default DEFAULT_MAX_CONCURRENT_PREVIEWS */
  readonly maxConcurrent?: number;
  /** Bytes of samples (their JSON) one preview collects at most. @default DEFAULT_MAX_PREVIEW_SAMPLE_BYTES */
  readonly maxSampleBytes?: number;
  /** Told of each refusal. */
  readonly onRefused?: (reason: PreviewRefusal) => void;
}

/**
 * Each running preview costs a copy of every matching flow's labels or request until it ends, and
 * every Check is offered to every preview: without caps, 1,000 previews took an agent from 106 to
 * 1,912 MiB. 8 previews of at most 512 KiB hold 4 MiB at most.
 */
export const DEFAULT_MAX_CONCURRENT_PREVIEWS = 8;
export const DEFAULT_MAX_PREVIEW_SAMPLE_BYTES = 512 * 1024;

/**
 * A path with every query value replaced by `<redacted>` (keys kept, for writing classifiers):
 * `access_token=…`, `sig=…` and the like are credentials as often as headers are.
 */
export function maskQuery(path: string): string {
  const queryAt = path.indexOf('?');
  if (queryAt < 0) return path;
  const masked = path
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals < 0 ? pair : `${pair.slice(0, equals)}=${REDACTED}`;
    })
    .join('&');
  return `${path.slice(0, queryAt)}?${masked}`;
}

/** Longest a preview may run, whatever it asks: Aperture's previews could block forever. */
export const MAX_PREVIEW_TIMEOUT_MS = 300_000;
export const MAX_PREVIEW_SAMPLES = 1000;

interface Running {
  readonly spec: PreviewSpec;
  readonly answer: (answer: PreviewAnswer) => void;
  readonly flowLabels: Array<Record<string, string>>;
  readonly httpRequests: string[];
  readonly timer: TimerHandle;
  /** Bytes of the samples so far (their JSON length). */
  bytes: number;
}

/**
 * Open previews. Each collects N matching flows or stops at its timeout (or a cancel) and answers
 * once. Credential headers, labels classifiers took from them and query values are redacted in both
 * label and request samples. Running previews and their sample bytes are capped (PreviewLimits).
 */
export class PreviewRegistry {
  private readonly running = new Map<string, Running>();
  private readonly redacted: ReadonlySet<string>;
  private readonly maxConcurrent: number;
  private readonly maxSampleBytes: number;

  constructor(
    private readonly clock: Clock,
    redactedHeaders: readonly string[],
    private readonly limits: PreviewLimits = {},
  ) {
    this.redacted = new Set(redactedHeaders.map((name) => name.toLowerCase()));
    this.maxConcurrent = limits.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_PREVIEWS;
    this.maxSampleBytes = limits.maxSampleBytes ?? DEFAULT_MAX_PREVIEW_SAMPLE_BYTES;
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
      this.limits.onRefused?.('invalid');
      answer({ requestId: spec.requestId, flowLabels: [], httpRequests: [], error: problem });
      return;
    }
    if (this.running.size >= this.maxConcurrent) {
      this.limits.onRefused?.('concurrency');
      answer({
        requestId: spec.requestId,
        flowLabels: [],
        httpRequests: [],
        error: `too many previews on this agent: ${this.running.size} running, at most ${this.maxConcurrent} (previewMaxConcurrent); retry when one ends`,
      });
      return;
    }
    const timeoutMs =
      spec.timeoutMs > 0 ? Math.min(spec.timeoutMs, MAX_PREVIEW_TIMEOUT_MS) : MAX_PREVIEW_TIMEOUT_MS;
    const running: Running = {
      spec,
      answer,
      flowLabels: [],
      httpRequests: [],
      timer: this.clock.setTimer(timeoutMs, () => this.finish(spec.requestId)),
      bytes: 0,
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

  private finish(requestId: string, error?: string): void {
    const running = this.running.get(requestId);
    if (running === undefined) return;
    running.timer.cancel();
    this.running.delete(requestId);
    running.answer({
      requestId,
      flowLabels: running.flowLabels,
      httpRequests: running.httpRequests,
      ...(error !== undefined ? { error } : {}),
    });
  }

  offer(flow: PreviewFlow): void {
    if (this.running.size === 0) return;
    for (const running of [...this.running.values()]) {
      const spec = running.spec;
      if (spec.controlPoint !== flow.controlPoint) continue;
      if (spec.service !== '' && spec.service !== 'any' && !flow.services.includes(spec.service)) continue;
      if (!Object.entries(spec.matchLabels).every(([key, value]) => flow.labels[key] === value)) continue;
      const labels = spec.kind === 'flow-labels' ? this.redactLabels(flow) : undefined;
      const document = labels === undefined ? JSON.stringify(this.requestDocument(flow.http)) : undefined;
      const bytes = labels !== undefined ? JSON.stringify(labels).length : (document as string).length;
      const taken = running.flowLabels.length + running.httpRequests.length;
      if (running.bytes + bytes > this.maxSampleBytes) {
        this.limits.onRefused?.('sample-bytes');
        this.finish(
          spec.requestId,
          `preview stopped at the sample size limit: ${taken} of ${spec.samples} samples (${running.bytes} bytes) collected; the next one would pass previewMaxSampleBytes (${this.maxSampleBytes})`,
        );
        continue;
      }
      running.bytes += bytes;
      if (labels !== undefined) running.flowLabels.push(labels);
      else running.httpRequests.push(document as string);
      if (taken + 1 >= spec.samples) this.finish(spec.requestId);
    }
  }

  /** Labels with credential headers, labels taken from them and query values redacted. */
  private redactLabels(flow: PreviewFlow): Record<string, string> {
    const out: Record<string, string> = { ...flow.labels };
    for (const name of this.redacted) {
      const key = headerLabelKey(name);
      if (key in out) out[key] = REDACTED;
    }
    for (const key of flow.redactedLabels ?? []) if (key in out) out[key] = REDACTED;
    const target = out['http.target'];
    if (target !== undefined) out['http.target'] = maskQuery(target);
    return out;
  }

  /** The request as classifiers see it, credentials and query values redacted. */
  private requestDocument(http: HttpRequestAttributes): Record<string, unknown> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(http.headers))
      headers[name] = this.redacted.has(name.toLowerCase()) ? REDACTED : value;
    const queryAt = http.path.indexOf('?');
    const bare = queryAt >= 0 ? http.path.slice(0, queryAt) : http.path;
    const parsedQuery: Record<string, string[]> = {};
    if (queryAt >= 0) {
      for (const [key] of new URLSearchParams(http.path.slice(queryAt + 1)))
        (parsedQuery[key] ??= []).push(REDACTED);
    }
    const contentLength = Number(http.headers['content-length']);
    return {
      request: {
        http: {
          method: http.method,
          path: maskQuery(http.path),
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
