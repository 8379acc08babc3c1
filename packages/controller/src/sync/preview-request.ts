/** What `POST /v1/preview` asks agents to sample. */
export interface PreviewQuery {
  readonly controlPoint: string;
  /** Empty or absent: any service. */
  readonly service?: string;
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly samples: number;
  readonly timeoutMs: number;
  /** flow-labels: the labels of each flow; http-request: the full request document. */
  readonly kind: 'flow-labels' | 'http-request';
}

/** The collected answer. */
export interface PreviewAnswer {
  readonly requestId: string;
  readonly agents: { readonly agentId: string; readonly done: boolean; readonly error?: string }[];
  readonly flowLabels: Record<string, string>[];
  /** Parsed request documents; a document that is not JSON is kept as a string. */
  readonly httpRequests: unknown[];
}

/** No connected agent announced the `preview` capability. */
export class PreviewUnavailableError extends Error {
  constructor() {
    super('no connected agent supports preview (capability "preview")');
    this.name = 'PreviewUnavailableError';
  }
}

/** Bounds on previews, which cost every agent that samples; a flood of them must not exhaust agents. */
export interface PreviewLimits {
  /** Previews running at once; one more is refused (HTTP 429). @default 4 */
  readonly maxConcurrent?: number;
  /** Bytes of samples one preview may collect (label keys and values, request documents); past it the preview ends and is refused (HTTP 413). @default 1 MiB */
  readonly maxSampleBytes?: number;
}

export const DEFAULT_MAX_CONCURRENT_PREVIEWS = 4;
export const DEFAULT_MAX_PREVIEW_SAMPLE_BYTES = 1024 * 1024;

/** As many previews as allowed are already running. */
export class PreviewBusyError extends Error {
  constructor(readonly maxConcurrent: number) {
    super(`${maxConcurrent} previews are already running; try again when one has finished`);
    this.name = 'PreviewBusyError';
  }
}

/** The samples collected passed the byte limit; the preview was ended and its agents told to stop. */
export class PreviewTooLargeError extends Error {
  constructor(readonly maxSampleBytes: number) {
    super(
      `the samples exceeded ${maxSampleBytes} bytes; ask for fewer samples, kind flow-labels, or a narrower labelMatcher`,
    );
    this.name = 'PreviewTooLargeError';
  }
}
