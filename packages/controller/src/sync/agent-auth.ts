import type { Metadata } from '@grpc/grpc-js';
import type { AgentAuthMode } from '@sluice/spec';

/** Who an authenticated stream speaks for; two streams of one agent id must come from the same one. */
export type AgentPrincipal = string;

/**
 * The outcome of authenticating one `Connect`: a principal, or a refusal the stream ends with before
 * any message is read (`unauthenticated` → UNAUTHENTICATED; `unavailable` → UNAVAILABLE, when the
 * controller could not decide, e.g. the Kubernetes API did not answer; the agent retries).
 */
export type AgentAuthVerdict =
  | { readonly ok: true; readonly principal: AgentPrincipal }
  | { readonly ok: false; readonly refusal: 'unauthenticated' | 'unavailable'; readonly reason: string };

/** Authenticates AgentSync streams from their `authorization: Bearer <token>` metadata. */
export interface AgentAuthenticator {
  readonly mode: AgentAuthMode;
  /** `token` is the bearer credential of the stream's metadata, or undefined when it carries none. */
  authenticate(token: string | undefined): Promise<AgentAuthVerdict>;
}

/** The longest credential looked at; a projected token is about 1 KB. */
export const MAX_AGENT_CREDENTIAL_LENGTH = 8192;

/** The bearer token of a stream's metadata (`authorization: Bearer <token>`), if it carries one. */
export function bearerTokenOf(metadata: Metadata): string | undefined {
  const values = metadata.get('authorization');
  if (values.length !== 1) return undefined;
  const value = values[0];
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer ([^\s]+)$/.exec(value);
  return match?.[1];
}

/**
 * `agentAuth: none`: every stream is admitted as one anonymous principal (so a reconnect may replace any
 * session, as before authentication existed). The controller then binds AgentSync to loopback unless
 * told otherwise.
 */
export const NO_AGENT_AUTH: AgentAuthenticator = {
  mode: 'none',
  authenticate: async () => ({ ok: true, principal: 'anonymous' }),
};
