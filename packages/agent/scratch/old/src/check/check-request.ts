import type { HttpRequestAttributes } from '../flow-labels/request-labels.js';

/** The parts of envoy.service.auth.v3.CheckRequest the agent reads (proto-loader object form, defaults off). */
export interface CheckRequestMessage {
  attributes?: {
    destination?: { service?: string };
    request?: {
      http?: {
        method?: string;
        headers?: Record<string, string>;
        path?: string;
        host?: string;
        scheme?: string;
        size?: number;
        protocol?: string;
        body?: string;
        raw_body?: Buffer;
      };
    };
    context_extensions?: Record<string, string>;
  };
}

/** A CheckRequest reduced to what the pipeline needs. */
export interface ParsedCheck {
  readonly http: HttpRequestAttributes;
  readonly destinationService: string;
  readonly contextControlPoint: string | undefined;
}

/**
 * Reads a CheckRequest in proto-loader's object form. With proto3 defaults off, absent fields are
 * zero values. A body sent as raw bytes (pack_as_bytes) is decoded as UTF-8 so classifiers see it
 * either way. The gRPC server reads the wire bytes with decodeCheckRequest instead; this reading is
 * what that decoder is tested against, and how tests build a ParsedCheck from an object.
 */
export function parseCheckRequest(message: CheckRequestMessage): ParsedCheck {
  const http = message.attributes?.request?.http ?? {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(http.headers ?? {})) headers[name.toLowerCase()] = value;
  const body =
    http.body !== undefined && http.body !== ''
      ? http.body
      : http.raw_body !== undefined
        ? Buffer.from(http.raw_body).toString('utf8')
        : '';
  return {
    http: {
      method: http.method ?? headers[':method'] ?? '',
      path: http.path ?? headers[':path'] ?? '',
      host: http.host ?? headers[':authority'] ?? '',
      scheme: http.scheme ?? headers[':scheme'] ?? '',
      protocol: http.protocol ?? '',
      // Envoy sends -1 for unknown; an absent field (proto3 zero) means 0.
      size: Number(http.size ?? 0),
      headers,
      body,
    },
    destinationService: message.attributes?.destination?.service ?? '',
    contextControlPoint: message.attributes?.context_extensions?.['control-point'],
  };
}

/**
 * The control point: gRPC metadata `control-point` (Aperture's istioconfig), else the context
 * extension `control-point` (per-route configs), else the configured default.
 */
export function resolveControlPoint(
  metadataValue: string | undefined,
  parsed: ParsedCheck,
  defaultControlPoint: string | undefined,
): string | undefined {
  for (const candidate of [metadataValue, parsed.contextControlPoint, defaultControlPoint]) {
    if (candidate !== undefined && candidate !== '') return candidate;
  }
  return undefined;
}
