/**
 * Envoy access-log format strings (`%RESPONSE_CODE%`, `%REQ(:METHOD)%`,
 * `%DYNAMIC_METADATA(ns:key)%`, ...): parsed once at startup, evaluated per request against a plain
 * {@link AccessLogContext}. Pure: no clock, no I/O.
 *
 * Like Envoy's text formatter, a command whose value is unknown renders as `-`, so every attribute is
 * a string. Only the commands listed in {@link SUPPORTED_COMMANDS} exist here; anything else is a
 * parse error, never a silent `-`.
 *
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#command-operators
 */
import type { JsonValue } from './struct-value.js';

/** What one request looked like after it finished, in the units Envoy's operators use. */
export interface AccessLogContext {
  /** Request headers as the filter saw them, lower-case names, pseudo-headers included. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** Response headers sent to the client, lower-case names. */
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** Status sent to the client; undefined when none was sent (renders `0`, as Envoy). */
  readonly responseCode: number | undefined;
  /** Request body bytes received from the client. */
  readonly bytesReceived: number;
  /** Response body bytes sent to the client. */
  readonly bytesSent: number;
  /** ms from the first request byte to the last response byte sent. */
  readonly durationMs: number | undefined;
  /** ms from the first to the last request byte received. */
  readonly requestDurationMs: number | undefined;
  /** ms from the first request byte to the last byte sent upstream; undefined if never forwarded. */
  readonly requestTxDurationMs: number | undefined;
  /** ms from the first request byte to the first upstream response byte; undefined without one. */
  readonly responseDurationMs: number | undefined;
  /** ms from the first upstream response byte to the last byte sent to the client. */
  readonly responseTxDurationMs: number | undefined;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  readonly protocol: string;
  /** Filter namespace (`envoy.filters.http.ext_authz`) → its dynamic metadata struct. */
  readonly dynamicMetadata: ReadonlyMap<string, Readonly<Record<string, JsonValue>>>;
  /** `ip:port` of the upstream, when the request was forwarded. */
  readonly upstreamHost: string | undefined;
  /** `ip:port` of the client. */
  readonly downstreamRemoteAddress: string | undefined;
  /** `ip:port` the client connected to. */
  readonly downstreamLocalAddress: string | undefined;
}

type Segment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly field: FieldName; readonly maxLength: number | undefined }
  | {
      readonly kind: 'header';
      readonly from: 'request' | 'response';
      readonly names: readonly string[];
      readonly maxLength: number | undefined;
    }
  | {
      readonly kind: 'metadata';
      readonly namespace: string;
      readonly path: readonly string[];
      readonly maxLength: number | undefined;
    };

/** A parsed format string. */
export interface FormatString {
  readonly source: string;
  readonly segments: readonly Segment[];
}

const FIELDS = {
  RESPONSE_CODE: (c: AccessLogContext) => String(c.responseCode ?? 0),
  BYTES_RECEIVED: (c: AccessLogContext) => String(c.bytesReceived),
  BYTES_SENT: (c: AccessLogContext) => String(c.bytesSent),
  DURATION: (c: AccessLogContext) => wholeMs(c.durationMs),
  REQUEST_DURATION: (c: AccessLogContext) => wholeMs(c.requestDurationMs),
  REQUEST_TX_DURATION: (c: AccessLogContext) => wholeMs(c.requestTxDurationMs),
  RESPONSE_DURATION: (c: AccessLogContext) => wholeMs(c.responseDurationMs),
  RESPONSE_TX_DURATION: (c: AccessLogContext) => wholeMs(c.responseTxDurationMs),
  PROTOCOL: (c: AccessLogContext) => c.protocol,
  UPSTREAM_HOST: (c: AccessLogContext) => c.upstreamHost,
  DOWNSTREAM_REMOTE_ADDRESS: (c: AccessLogContext) => c.downstreamRemoteAddress,
  DOWNSTREAM_LOCAL_ADDRESS: (c: AccessLogContext) => c.downstreamLocalAddress,
} satisfies Record<string, (context: AccessLogContext) => string | undefined>;

type FieldName = keyof typeof FIELDS;

/** Every command this implementation understands. */
export const SUPPORTED_COMMANDS: readonly string[] = Object.freeze([
  ...Object.keys(FIELDS),
  'REQ(...)',
  'RESP(...)',
  'DYNAMIC_METADATA(...)',
]);

/** What Envoy prints for a value it does not have. */
export const UNSET = '-';

/** Envoy truncates durations to whole milliseconds. */
function wholeMs(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(Math.max(0, Math.floor(value)));
}

const COMMAND = /%([A-Z_]+)(?:\(([^)]*)\))?(?::([0-9]+))?%/g;

/**
 * Parses an Envoy format string.
 *
 * @throws Error naming the command and listing {@link SUPPORTED_COMMANDS} when a command is unknown
 *   or malformed.
 */
export function parseFormatString(source: string): FormatString {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of source.matchAll(COMMAND)) {
    const index = match.index;
    if (index > last) segments.push({ kind: 'text', text: source.slice(last, index) });
    last = index + match[0].length;
    const [, name = '', argument, length] = match;
    const maxLength = length === undefined ? undefined : Number(length);
    if (name === 'REQ' || name === 'RESP') {
      if (argument === undefined || argument === '')
        throw new Error(`%${name}(...)% needs a header name in "${source}"`);
      // `%REQ(X?Y)%` reads Y when X is absent, as in Envoy.
      const names = argument.split('?').map((header) => header.toLowerCase());
      segments.push({ kind: 'header', from: name === 'REQ' ? 'request' : 'response', names, maxLength });
    } else if (name === 'DYNAMIC_METADATA') {
      const [namespace, ...path] = (argument ?? '').split(':');
      if (namespace === undefined || namespace === '') {
        throw new Error(`%DYNAMIC_METADATA(NAMESPACE:KEY)% needs a namespace in "${source}"`);
      }
      segments.push({ kind: 'metadata', namespace, path, maxLength });
    } else if (name in FIELDS && argument === undefined) {
      segments.push({ kind: 'field', field: name as FieldName, maxLength });
    } else {
      throw new Error(
        `unsupported access-log command %${name}${argument === undefined ? '' : `(${argument})`}% in "${source}"; supported: ${SUPPORTED_COMMANDS.join(', ')}`,
      );
    }
  }
  if (last < source.length) segments.push({ kind: 'text', text: source.slice(last) });
  if (source.replace(COMMAND, '').includes('%')) {
    throw new Error(
      `malformed command in access-log format "${source}"; commands look like %NAME% or %NAME(ARG)%`,
    );
  }
  return { source, segments };
}

/** Renders a parsed format string; every unknown value becomes `-`. */
export function formatAccessLogValue(format: FormatString, context: AccessLogContext): string {
  let out = '';
  for (const segment of format.segments) {
    if (segment.kind === 'text') {
      out += segment.text;
      continue;
    }
    out += truncate(evaluate(segment, context), segment.maxLength) ?? UNSET;
  }
  return out;
}

function evaluate(
  segment: Exclude<Segment, { kind: 'text' }>,
  context: AccessLogContext,
): string | undefined {
  switch (segment.kind) {
    case 'field':
      return FIELDS[segment.field](context);
    case 'header': {
      const headers = segment.from === 'request' ? context.requestHeaders : context.responseHeaders;
      for (const name of segment.names) {
        const value = headers[name];
        if (value !== undefined) return value;
      }
      return undefined;
    }
    case 'metadata': {
      let value: JsonValue | undefined = context.dynamicMetadata.get(segment.namespace);
      for (const key of segment.path) {
        value = value !== null && typeof value === 'object' && !Array.isArray(value) ? value[key] : undefined;
      }
      if (value === undefined || value === null) return undefined;
      // Strings print as they are; numbers, booleans, lists and structs as JSON, as Envoy does.
      return typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
}

function truncate(value: string | undefined, maxLength: number | undefined): string | undefined {
  return value === undefined || maxLength === undefined ? value : value.slice(0, maxLength);
}
