/**
 * Which request headers reach the agent in the CheckRequest. Pure.
 *
 * Envoy's rules (`allowed_headers`, `disallowed_headers`) plus Sluice's credential stance: a header in
 * `credentialHeaders` is withheld unless `allowedHeaders` names it, so a classifier that needs
 * `authorization` has to ask for it (ARCHITECTURE.md, security stance).
 */

/**
 * Credential headers Sluice never sends to the agent unless named in `allowedHeaders` (ARCHITECTURE.md,
 * security stance). Envoy itself sends them; this is a deliberate difference.
 */
export const DEFAULT_CREDENTIAL_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
]);

/** Envoy owns this header; a client-supplied one must never reach the agent. */
export const PARTIAL_BODY_HEADER = 'x-envoy-auth-partial-body';

/** Sent to the agent even when `allowedHeaders` is set, as Envoy does for Host, Method, Path, Content-Length. */
const ALWAYS_ALLOWED = new Set([':authority', ':method', ':path', ':scheme', 'content-length']);

export interface HeaderFilterOptions {
  /** Lower-case names; undefined = every header. */
  readonly allowedHeaders: readonly string[] | undefined;
  /** Lower-case names, never sent. */
  readonly disallowedHeaders: readonly string[];
  /** Lower-case names, sent only when in `allowedHeaders`. */
  readonly credentialHeaders: readonly string[];
}

/** A compiled filter: `allows(name)` for a lower-case header name. */
export class HeaderFilter {
  readonly #allowed: ReadonlySet<string> | undefined;
  readonly #disallowed: ReadonlySet<string>;
  readonly #credentials: ReadonlySet<string>;

  constructor(options: HeaderFilterOptions) {
    this.#allowed = options.allowedHeaders === undefined ? undefined : new Set(options.allowedHeaders);
    this.#disallowed = new Set(options.disallowedHeaders);
    this.#credentials = new Set(options.credentialHeaders);
  }

  allows(name: string): boolean {
    if (name === PARTIAL_BODY_HEADER) return false;
    if (name.startsWith(':')) return true;
    if (this.#disallowed.has(name)) return false;
    if (this.#credentials.has(name)) return this.#allowed?.has(name) ?? false;
    if (this.#allowed === undefined) return true;
    return ALWAYS_ALLOWED.has(name) || this.#allowed.has(name);
  }
}
