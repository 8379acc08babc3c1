import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AgentAuthenticator, AgentAuthVerdict } from './agent-auth.js';
import { MAX_AGENT_CREDENTIAL_LENGTH } from './agent-auth.js';

export interface TokenAgentAuthOptions {
  /** Reads the shared token (the file `agentTokenFile`), on every Connect so a rotated file applies at once. */
  readonly readToken: () => Promise<string>;
  /** HMAC key for the comparison. @default 32 random bytes */
  readonly key?: Buffer;
}

/** The shared token's principal: one secret cannot tell agents apart. */
export const SHARED_TOKEN_PRINCIPAL = 'shared-token';

/**
 * `agentAuth: token`: an agent must present the shared token of `agentTokenFile`. Both tokens are reduced
 * to HMAC-SHA256 digests under a random key and compared in constant time, so neither a guess's
 * correct prefix nor the token's length shows in timing. Every holder of the token is the same
 * principal, so one may replace another's session of the same agent id; `kubernetes` tells pods apart.
 */
export class TokenAgentAuth implements AgentAuthenticator {
  readonly mode = 'token' as const;
  readonly #options: TokenAgentAuthOptions;
  readonly #key: Buffer;

  constructor(options: TokenAgentAuthOptions) {
    this.#options = options;
    this.#key = options.key ?? randomBytes(32);
  }

  async authenticate(token: string | undefined): Promise<AgentAuthVerdict> {
    let expected: string;
    try {
      expected = (await this.#options.readToken()).trim();
    } catch (error) {
      return {
        ok: false,
        refusal: 'unavailable',
        reason: `the agent token cannot be read: ${(error as Error).message}`,
      };
    }
    const given = token !== undefined && token.length <= MAX_AGENT_CREDENTIAL_LENGTH ? token : '';
    const digest = (text: string) => createHmac('sha256', this.#key).update(text, 'utf8').digest();
    const equal = timingSafeEqual(digest(given), digest(expected));
    if (equal && given !== '' && expected !== '') return { ok: true, principal: SHARED_TOKEN_PRINCIPAL };
    return {
      ok: false,
      refusal: 'unauthenticated',
      reason: token === undefined ? 'no bearer token (authorization metadata)' : 'wrong agent token',
    };
  }
}
