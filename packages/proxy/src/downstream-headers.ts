/**
 * The request header map as Envoy's HTTP filters see it for an HTTP/1.1 request. Pure.
 *
 * Envoy's HTTP/1 codec turns the request line and `Host` into the pseudo-headers `:method`, `:path`,
 * `:authority` and `:scheme`; the connection manager drops connection-level headers, generates
 * `x-request-id` when the client sent none and sets `x-forwarded-proto`. Repeated headers are joined
 * with `,` (`; ` for cookie), as Envoy's header map does.
 */

/** Connection-level headers that never pass through a proxy (RFC 9110 §7.6.1). */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

export interface RequestLine {
  readonly method: string;
  /** Path with query, as received. */
  readonly path: string;
  readonly scheme: 'http' | 'https';
}

/**
 * @param rawHeaders Node's `req.rawHeaders`: name, value, name, value, ...
 * @param newRequestId Called only when the client sent no `x-request-id`.
 */
export function envoyRequestHeaders(
  rawHeaders: readonly string[],
  line: RequestLine,
  newRequestId: () => string,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] ?? '').toLowerCase();
    const value = rawHeaders[index + 1] ?? '';
    if (HOP_BY_HOP_HEADERS.has(name) || name.startsWith(':')) continue;
    const key = name === 'host' ? ':authority' : name;
    const previous = headers[key];
    headers[key] = previous === undefined ? value : `${previous}${name === 'cookie' ? '; ' : ','}${value}`;
  }
  // Envoy orders pseudo-headers first; keep that order for readers of previews.
  return {
    ':authority': headers[':authority'] ?? '',
    ':path': line.path,
    ':method': line.method,
    ':scheme': line.scheme,
    ...headers,
    'x-forwarded-proto': headers['x-forwarded-proto'] ?? line.scheme,
    'x-request-id': headers['x-request-id'] ?? newRequestId(),
  };
}

/** The header map minus pseudo-headers, with `:authority` back as `host`: what goes upstream. */
export function upstreamRequestHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === ':authority') out['host'] = value;
    else if (!name.startsWith(':')) out[name] = value;
  }
  return out;
}
