import type { FlowLabel } from './flow-labels.js';

/** The HTTP attributes of an ext_authz CheckRequest that labels are derived from. */
export interface HttpRequestAttributes {
  readonly method: string;
  /** Path including the query string, as Envoy sends it. */
  readonly path: string;
  readonly host: string;
  readonly scheme: string;
  /** Envoy's protocol string, e.g. `HTTP/1.1`, `HTTP/2`. */
  readonly protocol: string;
  /** Request body size in bytes; −1 when Envoy does not know it. */
  readonly size: number;
  /** Lower-case header names (Envoy merges duplicates). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Keys of the request labels that are not telemetry: the size, and every header under this prefix. */
export const REQUEST_CONTENT_LENGTH_LABEL = 'http.request_content_length';
export const REQUEST_HEADER_LABEL_PREFIX = 'http.request.header.';

/** `HTTP/2` → `2.0` as OpenTelemetry's http.flavor writes it; anything unknown passes unchanged. */
export function httpFlavor(protocol: string): string {
  switch (protocol) {
    case 'HTTP/1.0':
      return '1.0';
    case 'HTTP/1.1':
      return '1.1';
    case 'HTTP/2':
      return '2.0';
    case 'HTTP/3':
      return '3.0';
    default:
      return protocol;
  }
}

/** Header names whose label keys are remembered; past it keys are computed per request. */
const MAX_CACHED_HEADER_KEYS = 1024;
const headerLabelKeys = new Map<string, string>();

/** Header name as a label suffix: lower-case, `-` → `_` (Aperture's spelling, so its policies keep matching). */
export function headerLabelKey(name: string): string {
  // Every Check derives a key per header, and the names repeat; clients choose them, so the cache is bounded.
  let key = headerLabelKeys.get(name);
  if (key === undefined) {
    key = `${REQUEST_HEADER_LABEL_PREFIX}${name.toLowerCase().replace(/-/g, '_')}`;
    if (headerLabelKeys.size < MAX_CACHED_HEADER_KEYS) headerLabelKeys.set(name, key);
  }
  return key;
}

/**
 * Which request labels to derive: `all`, or only the `telemetry` ones (the HTTP attributes), when
 * nothing will read the header and size labels (see ComponentRegistry.readsRequestOnlyLabels).
 */
export type RequestLabelScope = 'all' | 'telemetry';

/**
 * Request labels named as Aperture names them. `http.path` is the path without its query string
 * (`http.target` keeps the query), so matchers on paths are not defeated by query parameters.
 * Header labels are matchable but not telemetry: they may carry personal data.
 */
export function requestLabels(http: HttpRequestAttributes, scope: RequestLabelScope = 'all'): FlowLabel[] {
  const queryAt = http.path.indexOf('?');
  const labels: FlowLabel[] = [
    { key: 'http.method', value: http.method, telemetry: true },
    { key: 'http.target', value: http.path, telemetry: true },
    { key: 'http.path', value: queryAt >= 0 ? http.path.slice(0, queryAt) : http.path, telemetry: true },
    { key: 'http.host', value: http.host, telemetry: true },
    { key: 'http.scheme', value: http.scheme, telemetry: true },
    { key: 'http.flavor', value: httpFlavor(http.protocol), telemetry: true },
  ];
  if (scope === 'telemetry') return labels;
  if (http.size >= 0)
    labels.push({ key: REQUEST_CONTENT_LENGTH_LABEL, value: String(http.size), telemetry: false });
  for (const [name, value] of Object.entries(http.headers)) {
    // Pseudo-headers (:path, :authority…) duplicate the attributes above.
    if (name.startsWith(':')) continue;
    labels.push({ key: headerLabelKey(name), value, telemetry: false });
  }
  return labels;
}
