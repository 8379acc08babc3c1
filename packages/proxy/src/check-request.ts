/**
 * Builds the ext_authz CheckRequest for one HTTP request, field by field as Envoy's
 * `CheckRequestUtils::createHttpCheck` does. Pure: the caller passes the clock reading and addresses.
 *
 * @see https://github.com/envoyproxy/envoy/blob/main/source/extensions/filters/common/ext_authz/check_request_utils.cc
 */
import type { CheckRequest, HttpRequestAttributes } from './ext-authz-messages.js';
import type { HeaderFilter } from './header-filter.js';
import { PARTIAL_BODY_HEADER } from './header-filter.js';

export interface Address {
  readonly address: string;
  readonly port: number;
}

export interface CheckRequestInput {
  /** Envoy-view header map (see `downstream-headers.ts`): lower-case, pseudo-headers included. */
  readonly headers: Readonly<Record<string, string>>;
  /** `HTTP/1.0` or `HTTP/1.1`. */
  readonly protocol: string;
  /** The client's socket address. */
  readonly source: Address;
  /** The socket address the client connected to. */
  readonly destination: Address;
  /** Wall-clock time the request started, Unix epoch ms. */
  readonly startTimeMs: number;
  /**
   * Body bytes buffered before the Check, possibly more than `maxRequestBytes`; undefined when body
   * buffering is off.
   */
  readonly bufferedBody: Buffer | undefined;
  /** Body bytes received so far (Envoy's `size` is `bytesReceived()` at Check time). */
  readonly bytesReceived: number;
}

export interface CheckRequestOptions {
  readonly headerFilter: HeaderFilter;
  /** `with_request_body.max_request_bytes`; ignored when `bufferedBody` is undefined. */
  readonly maxRequestBytes: number;
  /** Put the body in `raw_body` instead of `body`. */
  readonly packAsBytes: boolean;
  readonly contextExtensions: Readonly<Record<string, string>>;
}

export function buildCheckRequest(input: CheckRequestInput, options: CheckRequestOptions): CheckRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    if (options.headerFilter.allows(name)) headers[name] = value;
  }
  const http: HttpRequestAttributes = {
    // Envoy sends its stream id, which it derives from x-request-id; the id itself is more useful.
    id: input.headers['x-request-id'] ?? '',
    method: input.headers[':method'] ?? '',
    headers,
    path: input.headers[':path'] ?? '',
    host: input.headers[':authority'] ?? '',
    scheme: input.headers[':scheme'] ?? '',
    size: input.bytesReceived,
    protocol: input.protocol,
  };
  if (input.bufferedBody !== undefined) {
    const length = Math.min(input.bufferedBody.length, options.maxRequestBytes);
    const bytes = input.bufferedBody.subarray(0, length);
    if (options.packAsBytes) http.raw_body = Buffer.from(bytes);
    else http.body = bytes.toString('utf8');
    headers[PARTIAL_BODY_HEADER] = length !== input.bufferedBody.length ? 'true' : 'false';
  }
  return {
    attributes: {
      source: peer(input.source),
      destination: peer(input.destination),
      request: { time: timestamp(input.startTimeMs), http },
      context_extensions: { ...options.contextExtensions },
    },
  };
}

function peer(address: Address) {
  return { address: { socket_address: { address: address.address, port_value: address.port } } };
}

function timestamp(epochMs: number) {
  const seconds = Math.floor(epochMs / 1000);
  return { seconds, nanos: Math.floor((epochMs - seconds * 1000) * 1e6) };
}
