/**
 * The agent's gRPC message and stream limits, from what Envoy itself bounds. A Check carries the
 * request's headers (Envoy refuses requests past `max_request_headers_kb`, 60 KiB by default), the
 * body Envoy buffers for ext_authz (`with_request_body.max_request_bytes`) and attributes; an OTLP
 * Export carries one access-log batch. Nothing larger comes from a well-configured Envoy, so the
 * receive limit is their sum plus a margin, not 16 MiB: a bigger message is refused by gRPC
 * (RESOURCE_EXHAUSTED; Envoy fails open for that request) before it is decoded or held.
 */

/**
 * Room past headers and body: the attributes around them (addresses, principals, a peer
 * certificate, context extensions, metadata) and protobuf framing, and an OTLP batch, which Envoy's
 * OpenTelemetry access logger flushes once it passes 16 KiB (`buffer_size_bytes`), so a batch is
 * 16 KiB plus its last record (a decision record, its labels cut at 1 KiB each, and the attributes
 * Envoy logs). 64 KiB covers both with room to spare.
 */
export const RECEIVE_LIMIT_MARGIN_BYTES = 64 * 1024;

export interface ReceiveLimitInputs {
  /** Envoy's `max_request_headers_kb`. */
  readonly maxRequestHeadersKb: number;
  /** Envoy's ext_authz `max_request_bytes`. */
  readonly maxRequestBytes: number;
}

/** The gRPC receive limit in bytes: headers + body + RECEIVE_LIMIT_MARGIN_BYTES (132 KiB by default). */
export function grpcReceiveLimitBytes(inputs: ReceiveLimitInputs): number {
  return inputs.maxRequestHeadersKb * 1024 + inputs.maxRequestBytes + RECEIVE_LIMIT_MARGIN_BYTES;
}
