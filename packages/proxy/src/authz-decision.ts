/**
 * What the ext_authz filter does with a Check outcome, as a discriminated union. Pure.
 *
 * - gRPC status OK (0) → allowed, with the OkHttpResponse's header mutations.
 * - Any other status → denied with the DeniedHttpResponse's status (403 Forbidden when it has
 *   none), headers and body.
 * - The call failed (agent down, deadline, gRPC error) → allowed as "failed open" when
 *   `failureModeAllow`, else answered with `statusOnError`.
 *
 * Dynamic metadata is kept in both the allowed and denied cases, so the access log can echo it.
 * Envoy adds `ext_authz_duration` (whole ms) to it only for allowed requests that carried metadata.
 *
 * @see https://github.com/envoyproxy/envoy/blob/main/source/extensions/filters/http/ext_authz/ext_authz.cc
 */
import type { CheckResponse } from './ext-authz-messages.js';
import { toHeaderMutations, type HeaderMutation } from './header-mutation.js';
import { structToJson, type JsonValue } from './struct-value.js';

/** The namespace Envoy stores ext_authz dynamic metadata under. */
export const EXT_AUTHZ_METADATA_NAMESPACE = 'envoy.filters.http.ext_authz';

/** Added to the upstream request when a failed Check was allowed and the option is on. */
export const FAILURE_MODE_ALLOWED_HEADER = 'x-envoy-auth-failure-mode-allowed';

export type DynamicMetadata = Readonly<Record<string, JsonValue>>;

export type AuthzDecision =
  | {
      readonly kind: 'allowed';
      /** Applied to the request forwarded upstream. */
      readonly requestHeaders: readonly HeaderMutation[];
      readonly requestHeadersToRemove: readonly string[];
      /** Applied to the response sent to the client. */
      readonly responseHeaders: readonly HeaderMutation[];
      readonly dynamicMetadata: DynamicMetadata | undefined;
    }
  | {
      readonly kind: 'denied';
      readonly status: number;
      readonly responseHeaders: readonly HeaderMutation[];
      readonly body: string;
      readonly dynamicMetadata: DynamicMetadata | undefined;
    }
  | {
      readonly kind: 'failed-open';
      readonly error: string;
      readonly requestHeaders: readonly HeaderMutation[];
    }
  | { readonly kind: 'failed-closed'; readonly error: string; readonly status: number };

export interface DecideOptions {
  /** Maps an `envoy.type.v3.StatusCode` value name (`TooManyRequests`) to its number. */
  readonly statusCodeOf: (name: string) => number | undefined;
  /** ms the Check took, for `ext_authz_duration`. */
  readonly checkDurationMs: number;
}

const FORBIDDEN = 403;

export function decideFromResponse(response: CheckResponse, options: DecideOptions): AuthzDecision {
  const metadata =
    response.dynamic_metadata?.fields === undefined ? undefined : structToJson(response.dynamic_metadata);
  const hasMetadata = metadata !== undefined && Object.keys(metadata).length > 0;
  if ((response.status?.code ?? 0) === 0) {
    const ok = response.ok_response;
    return {
      kind: 'allowed',
      requestHeaders: toHeaderMutations(ok?.headers),
      requestHeadersToRemove: ok?.headers_to_remove ?? [],
      responseHeaders: toHeaderMutations(ok?.response_headers_to_add),
      dynamicMetadata: hasMetadata
        ? { ...metadata, ext_authz_duration: Math.floor(options.checkDurationMs) }
        : undefined,
    };
  }
  const denied = response.denied_response;
  return {
    kind: 'denied',
    status: deniedStatus(denied?.status?.code, options.statusCodeOf),
    responseHeaders: toHeaderMutations(denied?.headers),
    body: denied?.body ?? '',
    dynamicMetadata: hasMetadata ? metadata : undefined,
  };
}

export interface FailureOptions {
  readonly failureModeAllow: boolean;
  readonly failureModeAllowHeaderAdd: boolean;
  readonly statusOnError: number;
}

export function decideFromError(error: string, options: FailureOptions): AuthzDecision {
  if (!options.failureModeAllow) return { kind: 'failed-closed', error, status: options.statusOnError };
  return {
    kind: 'failed-open',
    error,
    requestHeaders: options.failureModeAllowHeaderAdd
      ? [{ name: FAILURE_MODE_ALLOWED_HEADER, value: 'true', action: 'overwrite-or-add' }]
      : [],
  };
}

/** `Empty` (0), unknown names and non-HTTP numbers all fall back to 403, as Envoy does. */
function deniedStatus(
  code: string | number | undefined,
  statusCodeOf: (name: string) => number | undefined,
): number {
  const value = typeof code === 'string' ? statusCodeOf(code) : code;
  return value !== undefined && value >= 100 && value <= 599 ? value : FORBIDDEN;
}
