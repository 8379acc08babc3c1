/**
 * TypeScript shapes of the Envoy ext_authz v3 messages the proxy sends and reads, exactly as
 * @grpc/proto-loader produces them with Sluice's options (`keepCase`, `longs: Number`,
 * `enums: String`, `defaults: false`, `oneofs: true`): snake_case fields, zero values absent,
 * enums as value names. Only the fields the proxy uses are declared.
 *
 * @see node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/service/auth/v3/external_auth.proto
 * @see node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/service/auth/v3/attribute_context.proto
 */
import type { ProtoStruct } from './struct-value.js';

export interface SocketAddress {
  address?: string;
  port_value?: number;
}

export interface Peer {
  address?: { socket_address?: SocketAddress };
}

export interface Timestamp {
  seconds?: number;
  nanos?: number;
}

export interface HttpRequestAttributes {
  id?: string;
  method?: string;
  headers?: Record<string, string>;
  path?: string;
  host?: string;
  scheme?: string;
  query?: string;
  fragment?: string;
  size?: number;
  protocol?: string;
  body?: string;
  raw_body?: Buffer;
}

export interface AttributeContext {
  source?: Peer;
  destination?: Peer;
  request?: { time?: Timestamp; http?: HttpRequestAttributes };
  context_extensions?: Record<string, string>;
}

export interface CheckRequest {
  attributes?: AttributeContext;
}

/** `envoy.config.core.v3.HeaderValueOption.HeaderAppendAction` value names. */
export type HeaderAppendAction =
  'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';

export interface HeaderValueOption {
  header?: { key?: string; value?: string; raw_value?: Buffer };
  /** Deprecated BoolValue wrapper; when present it wins over `append_action`, as in Envoy. */
  append?: { value?: boolean };
  append_action?: HeaderAppendAction;
  keep_empty_value?: boolean;
}

export interface OkHttpResponse {
  headers?: HeaderValueOption[];
  headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
}

export interface DeniedHttpResponse {
  /** `envoy.type.v3.HttpStatus`; `code` is a `StatusCode` value name such as `TooManyRequests`. */
  status?: { code?: string | number };
  headers?: HeaderValueOption[];
  body?: string;
}

export interface CheckResponse {
  /** `google.rpc.Status`; absent `code` is OK (0). */
  status?: { code?: number; message?: string };
  http_response?: 'denied_response' | 'ok_response';
  denied_response?: DeniedHttpResponse;
  ok_response?: OkHttpResponse;
  dynamic_metadata?: ProtoStruct;
}
