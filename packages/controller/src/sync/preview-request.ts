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
