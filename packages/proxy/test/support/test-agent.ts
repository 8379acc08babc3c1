/**
 * A stand-in for the Sluice agent: a real gRPC server on the real Envoy and OTLP protos that answers
 * `Authorization/Check` with whatever the test's `check` function says and records every Check and
 * every `LogsService/Export`. Waiting is on events, never on sleeps.
 */
import { EventEmitter, once } from 'node:events';
import {
  Server,
  ServerCredentials,
  status,
  type Metadata,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { authorizationService, logsService } from '@sluice/spec/protos';
import type { CheckRequest, CheckResponse } from '../../src/ext-authz-messages.js';

export interface ReceivedCheck {
  readonly request: CheckRequest;
  readonly metadata: Metadata;
  /** ms until the caller's deadline when the call arrived (from `grpc-timeout`). */
  readonly deadlineInMs: number | undefined;
}

/** A plain KeyValue list as the OTLP protos decode it. */
export interface ReceivedLogRecord {
  readonly logName: string | undefined;
  readonly body: string | undefined;
  readonly attributes: Readonly<Record<string, string>>;
}

/** What the agent does with one Check: answer, fail with a gRPC status, or stall. */
export type CheckBehaviour = (
  check: ReceivedCheck,
) => CheckResponse | { readonly error: number } | 'never' | Promise<CheckResponse>;

export class TestAgent {
  readonly checks: ReceivedCheck[] = [];
  readonly logRecords: ReceivedLogRecord[] = [];
  /** Number of Export calls (batches). */
  exports = 0;
  behaviour: CheckBehaviour = () => ({ status: { code: 0 } });
  readonly #events = new EventEmitter();
  readonly #server = new Server();
  readonly #stalled: sendUnaryData<CheckResponse>[] = [];
  port = 0;

  constructor() {
    this.#server.addService(authorizationService().service, {
      Check: (call: ServerUnaryCall<CheckRequest, CheckResponse>, callback: sendUnaryData<CheckResponse>) => {
        const received: ReceivedCheck = {
          request: call.request,
          metadata: call.metadata,
          deadlineInMs: deadlineInMs(call.getDeadline()),
        };
        this.checks.push(received);
        this.#events.emit('check');
        const answer = this.behaviour(received);
        if (answer === 'never') {
          // Held until stop(), so the proxy's deadline is what ends the call.
          this.#stalled.push(callback);
        } else if (answer instanceof Promise) {
          void answer.then((response) => callback(null, response));
        } else if ('error' in answer) {
          callback({ code: answer.error, details: 'test agent error' });
        } else {
          callback(null, answer);
        }
      },
    });
    this.#server.addService(logsService().service, {
      Export: (call: ServerUnaryCall<ExportRequest, object>, callback: sendUnaryData<object>) => {
        this.exports += 1;
        for (const resourceLogs of call.request.resource_logs ?? []) {
          const logName = resourceLogs.resource?.attributes?.find((attribute) => attribute.key === 'log_name')
            ?.value?.string_value;
          for (const scopeLogs of resourceLogs.scope_logs ?? []) {
            for (const record of scopeLogs.log_records ?? []) {
              const attributes: Record<string, string> = {};
              for (const attribute of record.attributes ?? [])
                attributes[attribute.key ?? ''] = attribute.value?.string_value ?? '<not a string>';
              this.logRecords.push({ logName, body: record.body?.string_value, attributes });
            }
          }
        }
        this.#events.emit('export');
        callback(null, {});
      },
    });
  }

  /** Binds `port` (0 = a free one) on loopback. */
  async start(port = 0): Promise<this> {
    this.port = await new Promise<number>((resolve, reject) => {
      this.#server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
    return this;
  }

  get target(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Resolves once `count` Checks have arrived in total. */
  async waitForChecks(count: number): Promise<void> {
    while (this.checks.length < count) await once(this.#events, 'check');
  }

  /** Resolves once `count` log records have arrived in total. */
  async waitForLogRecords(count: number): Promise<void> {
    while (this.logRecords.length < count) await once(this.#events, 'export');
  }

  async stop(): Promise<void> {
    for (const callback of this.#stalled.splice(0))
      callback({ code: status.CANCELLED, details: 'test agent stopping' });
    await new Promise<void>((resolve) => this.#server.tryShutdown(() => resolve()));
    this.#server.forceShutdown();
  }
}

interface ExportRequest {
  resource_logs?: {
    resource?: { attributes?: { key?: string; value?: { string_value?: string } }[] };
    scope_logs?: {
      log_records?: {
        body?: { string_value?: string };
        attributes?: { key?: string; value?: { string_value?: string } }[];
      }[];
    }[];
  }[];
}

/** grpc-js reports the deadline as a Date or epoch ms (Infinity when the caller set none). */
function deadlineInMs(deadline: Date | number): number | undefined {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) ? at - Date.now() : undefined;
}
