/**
 * Sends access-log batches to an OTLP `LogsService/Export` endpoint (the agent), as Envoy's
 * OpenTelemetry access logger does. A failed export is counted and dropped, never retried: like
 * Envoy, logging must not hold memory or slow the data path.
 */
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { logsService } from '@sluice/spec/protos';
import type { ExportLogsServiceRequest } from './access-log-record.js';
import { AGENT_CHANNEL_OPTIONS } from './grpc-channel-options.js';

type ExportMethod = (
  request: ExportLogsServiceRequest,
  options: { deadline: Date },
  callback: (error: ServiceError | null) => void,
) => void;

export interface ExportOutcome {
  readonly ok: boolean;
  readonly records: number;
  readonly error?: string;
}

export class AccessLogExporter {
  readonly #client: Client & { Export: ExportMethod };
  readonly #timeoutMs: number;
  #inFlight = new Set<Promise<ExportOutcome>>();

  constructor(options: { readonly target: string; readonly timeoutMs: number }) {
    const Constructor = logsService();
    this.#client = new Constructor(options.target, credentials.createInsecure(), {
      ...AGENT_CHANNEL_OPTIONS,
    }) as unknown as Client & { Export: ExportMethod };
    this.#timeoutMs = options.timeoutMs;
  }

  /** Exports one request; resolves (never rejects) with the outcome. */
  export(request: ExportLogsServiceRequest, records: number): Promise<ExportOutcome> {
    const deadline = new Date(Date.now() + this.#timeoutMs);
    const outcome = new Promise<ExportOutcome>((resolve) => {
      this.#client.Export(request, { deadline }, (error) => {
        resolve(
          error
            ? { ok: false, records, error: `${error.code ?? ''} ${error.details ?? error.message}`.trim() }
            : { ok: true, records },
        );
      });
    });
    this.#inFlight.add(outcome);
    void outcome.then(() => this.#inFlight.delete(outcome));
    return outcome;
  }

  /** Waits for exports in flight, then closes the channel. */
  async close(): Promise<void> {
    await Promise.all([...this.#inFlight]);
    this.#client.close();
  }
}
