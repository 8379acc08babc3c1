/**
 * OTLP access-log batches as the proxy (and Envoy's OpenTelemetry access logger) sends them: one
 * record per request with Aperture's istioconfig attributes rendered by the proxy's own format
 * strings, filled up to the 16 KiB `buffer_size_bytes` trigger that ends a batch under load.
 */
import {
  APERTURE_ACCESS_LOG_ATTRIBUTES,
  formatAccessLogValue,
  parseFormatString,
  type AccessLogContext,
} from '@sluice/proxy';
import { encodeGrpcMessage } from '../decision-path/check-request-bytes.js';

/** Envoy's and the proxy's default `buffer_size_bytes`: a busy sidecar flushes at this size. */
export const BUFFER_SIZE_BYTES = 16_384;
const LOG_NAME = 'ingress';

interface StringKeyValue {
  readonly key: string;
  readonly value: { readonly string_value: string };
}

/** `opentelemetry.proto.logs.v1.LogRecord`, the fields Envoy sets. */
export interface LogRecord {
  readonly time_unix_nano: number;
  readonly body: { readonly string_value: string };
  readonly attributes: readonly StringKeyValue[];
}

/**
 * The access-log context of a 200 answered in 12 ms after a 1 ms Check, carrying the agent's real
 * decision record (`decisionRecord`, the `aperture.check_response` metadata value) so the agent
 * attributes the flow to its flux meters exactly as in production.
 */
export function accessLogContext(decisionRecord: string): AccessLogContext {
  return {
    requestHeaders: {
      ':method': 'GET',
      ':path': '/api/orders?page=2',
      ':authority': 'orders.shop.svc.cluster.local:8080',
      'user-type': 'guest',
      'user-id': 'g-1',
    },
    responseHeaders: { 'content-type': 'application/json' },
    responseCode: 200,
    bytesReceived: 0,
    bytesSent: 1342,
    durationMs: 13,
    requestDurationMs: 0,
    requestTxDurationMs: 2,
    responseDurationMs: 12,
    responseTxDurationMs: 1,
    protocol: 'HTTP/1.1',
    dynamicMetadata: new Map([
      ['envoy.filters.http.ext_authz', { 'aperture.check_response': decisionRecord, ext_authz_duration: 1 }],
    ]),
    upstreamHost: '10.244.2.9:8080',
    downstreamRemoteAddress: '10.244.1.17:51234',
    downstreamLocalAddress: '10.244.2.9:8080',
  };
}

export function logRecord(context: AccessLogContext, startTimeMs: number): LogRecord {
  return {
    time_unix_nano: Math.floor(startTimeMs) * 1e6,
    body: { string_value: formatAccessLogValue(parseFormatString('%REQ(:METHOD)%'), context) },
    attributes: Object.entries(APERTURE_ACCESS_LOG_ATTRIBUTES).map(([key, format]) => ({
      key,
      value: { string_value: formatAccessLogValue(parseFormatString(format), context) },
    })),
  };
}

/** The proxy's size estimate of a record (access-log-record.ts `estimateRecordBytes`), which decides the batch size. */
export function estimateRecordBytes(record: LogRecord): number {
  let bytes = 9 + 4 + Buffer.byteLength(record.body.string_value);
  for (const { key, value } of record.attributes)
    bytes += 8 + Buffer.byteLength(key) + Buffer.byteLength(value.string_value);
  return bytes;
}

/** Records in one size-triggered batch: the first record that reaches the buffer size flushes it. */
export function recordsPerBatch(recordBytes: number): number {
  return Math.max(1, Math.ceil(BUFFER_SIZE_BYTES / recordBytes));
}

/** A framed ExportLogsServiceRequest of `count` copies of `record`, ready for `h2load -d`. */
export function exportRequestFrame(record: LogRecord, count: number): Buffer {
  return encodeGrpcMessage('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest', {
    resource_logs: [
      {
        resource: { attributes: [{ key: 'log_name', value: { string_value: LOG_NAME } }] },
        scope_logs: [{ log_records: Array.from({ length: count }, () => record) }],
      },
    ],
  });
}
