/**
 * OTLP log records as Envoy's OpenTelemetry access logger builds them: one record per request, body
 * and attributes from format strings, every attribute a string, the batch wrapped in one
 * ResourceLogs whose resource carries `log_name`. Pure.
 *
 * @see https://github.com/envoyproxy/envoy/blob/main/source/extensions/access_loggers/open_telemetry/grpc_access_impl.cc
 */
import {
  formatAccessLogValue,
  parseFormatString,
  type AccessLogContext,
  type FormatString,
} from './access-log-format.js';

/** `opentelemetry.proto.common.v1.KeyValue` with a string value. */
export interface StringKeyValue {
  key: string;
  value: { string_value: string };
}

/** `opentelemetry.proto.logs.v1.LogRecord`, the fields Envoy sets. */
export interface OtlpLogRecord {
  time_unix_nano: number;
  body: { string_value: string };
  attributes: StringKeyValue[];
}

/** `opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest`. */
export interface ExportLogsServiceRequest {
  resource_logs: {
    resource: { attributes: StringKeyValue[] };
    scope_logs: { log_records: OtlpLogRecord[] }[];
  }[];
}

/** Body and attribute formats, parsed once. */
export class AccessLogFormatter {
  readonly #body: FormatString;
  readonly #attributes: readonly (readonly [string, FormatString])[];

  /** @throws Error for an unsupported command (the config schema checks the same first). */
  constructor(options: { readonly body: string; readonly attributes: Readonly<Record<string, string>> }) {
    this.#body = parseFormatString(options.body);
    this.#attributes = Object.entries(options.attributes).map(
      ([key, format]) => [key, parseFormatString(format)] as const,
    );
  }

  /** @param startTimeMs wall-clock start of the request, Unix epoch ms. */
  record(context: AccessLogContext, startTimeMs: number): OtlpLogRecord {
    return {
      time_unix_nano: Math.floor(startTimeMs) * 1e6,
      body: { string_value: formatAccessLogValue(this.#body, context) },
      attributes: this.#attributes.map(([key, format]) => ({
        key,
        value: { string_value: formatAccessLogValue(format, context) },
      })),
    };
  }
}

/**
 * Approximate protobuf size of a record, for the `buffer_size_bytes` trigger (Envoy sums
 * `ByteSizeLong()`). Counts UTF-8 bytes plus a few bytes of tag and length per field; it does not
 * need to be exact, only proportional.
 */
export function estimateRecordBytes(record: OtlpLogRecord): number {
  let bytes = 9 + 4 + Buffer.byteLength(record.body.string_value);
  for (const { key, value } of record.attributes)
    bytes += 8 + Buffer.byteLength(key) + Buffer.byteLength(value.string_value);
  return bytes;
}

export function exportRequest(records: readonly OtlpLogRecord[], logName: string): ExportLogsServiceRequest {
  return {
    resource_logs: [
      {
        resource: { attributes: [{ key: 'log_name', value: { string_value: logName } }] },
        scope_logs: [{ log_records: [...records] }],
      },
    ],
  };
}
