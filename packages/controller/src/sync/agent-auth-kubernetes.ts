import { createHash } from 'node:crypto';
import type { AgentAuthenticator, AgentAuthVerdict } from './agent-auth.js';
import { MAX_AGENT_CREDENTIAL_LENGTH } from './agent-auth.js';
import { VerdictCache } from './verdict-cache.js';

/** What a TokenReview (`authentication.k8s.io/v1`) answered, in the fields the decision reads. */
export interface TokenReviewResult {
  readonly authenticated: boolean;
  readonly username?: string;
  /** `status.user.extra`, e.g. `authentication.kubernetes.io/pod-name`. */
  readonly extra?: Readonly<Record<string, readonly string[]>>;
  /** `status.audiences`: those of the request the token is valid for. */
  readonly audiences?: readonly string[];
  readonly error?: string;
}

/** Asks the API server whether a token is valid for the audiences (a TokenReview create). */
export interface TokenReviewer {
  review(token: string, audiences: readonly string[]): Promise<TokenReviewResult>;
}

export interface KubernetesAgentAuthOptions {
  readonly reviewer: TokenReviewer;
  /** `NAMESPACE/NAME` of the agents' service account, the only one admitted. */
  readonly serviceAccount: string;
  /** The audience the token must carry. */
  readonly audience: string;
  readonly now: () => number;
  /** Longest a positive verdict is trusted, even if the token lives longer (a deleted pod's token). @default 300000 */
  readonly maxVerdictMs?: number;
  /** How long a refusal is remembered, so a bad token does not cost a review per retry. @default 10000 */
  readonly refusalMs?: number;
  /** Verdicts kept. @default 10000 */
  readonly maxCacheEntries?: number;
  /** TokenReviews in flight at once; past it a Connect is refused UNAVAILABLE (the agent retries). @default 16 */
  readonly maxInFlight?: number;
}

/** TokenReview's extra key naming the pod a bound token belongs to. */
export const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';

/**
 * `agentAuth: kubernetes`: an agent presents its projected service-account token (audience
 * `sluice-controller`); the controller asks the API server with a TokenReview, checks that the review is
 * audience-aware and names that audience, and that the user is the agents' service account. The
 * principal is the pod (`<namespace>/<pod-name>` from the review's extra), so one pod cannot take over
 * another's session. Verdicts are cached by the token's digest until the token's own expiry (`exp`),
 * at most `maxVerdictMs`; refusals for `refusalMs`; the API server sees one review per token, not per
 * Connect, and a flood of bad tokens at most `maxInFlight` reviews at a time.
 */
export class KubernetesAgentAuth implements AgentAuthenticator {
  readonly mode = 'kubernetes' as const;
  readonly #options: KubernetesAgentAuthOptions;
  readonly #username: string;
  readonly #namespace: string;
  readonly #cache: VerdictCache<AgentAuthVerdict>;
  readonly #pending = new Map<string, Promise<AgentAuthVerdict>>();
  /** TokenReviews sent, for tests and logs. */
  reviews = 0;

  constructor(options: KubernetesAgentAuthOptions) {
    this.#options = options;
    const [namespace = '', name = ''] = options.serviceAccount.split('/');
    this.#namespace = namespace;
    this.#username = `system:serviceaccount:${namespace}:${name}`;
    this.#cache = new VerdictCache(options.maxCacheEntries ?? 10_000);
  }

  async authenticate(token: string | undefined): Promise<AgentAuthVerdict> {
    if (token === undefined)
      return { ok: false, refusal: 'unauthenticated', reason: 'no bearer token (authorization metadata)' };
    if (token.length > MAX_AGENT_CREDENTIAL_LENGTH)
      return { ok: false, refusal: 'unauthenticated', reason: 'bearer token too long' };
    const key = createHash('sha256').update(token, 'utf8').digest('hex');
    const cached = this.#cache.get(key, this.#options.now());
    if (cached !== undefined) return cached;
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    if (this.#pending.size >= (this.#options.maxInFlight ?? 16))
      return { ok: false, refusal: 'unavailable', reason: 'too many token reviews in flight; retry' };
    const review = this.#review(token, key).finally(() => this.#pending.delete(key));
    this.#pending.set(key, review);
    return review;
  }

  async #review(token: string, key: string): Promise<AgentAuthVerdict> {
    const audience = this.#options.audience;
    let result: TokenReviewResult;
    try {
      this.reviews += 1;
      result = await this.#options.reviewer.review(token, [audience]);
    } catch (error) {
      // Not cached: the API server may answer the next attempt.
      return { ok: false, refusal: 'unavailable', reason: `TokenReview failed: ${(error as Error).message}` };
    }
    const now = this.#options.now();
    const verdict = this.#judge(result);
    const expiresAt = verdict.ok
      ? Math.min(now + (this.#options.maxVerdictMs ?? 300_000), tokenExpiryMs(token) ?? Infinity)
      : now + (this.#options.refusalMs ?? 10_000);
    if (expiresAt > now) this.#cache.set(key, verdict, expiresAt, now);
    return verdict;
  }

  #judge(result: TokenReviewResult): AgentAuthVerdict {
    const refuse = (reason: string): AgentAuthVerdict => ({ ok: false, refusal: 'unauthenticated', reason });
    if (!result.authenticated) return refuse(`TokenReview: ${result.error ?? 'not authenticated'}`);
    // An audience-unaware review answers without status.audiences; it would accept a token minted for anyone.
    if (!(result.audiences ?? []).includes(this.#options.audience))
      return refuse(`TokenReview: the token is not valid for the audience ${this.#options.audience}`);
    if (result.username !== this.#username)
      return refuse(`TokenReview: ${result.username ?? 'no user'} is not the agents' service account`);
    const pod = result.extra?.[POD_NAME_EXTRA]?.[0];
    return { ok: true, principal: pod !== undefined ? `${this.#namespace}/${pod}` : this.#username };
  }
}

/**
 * The `exp` claim of a JWT (epoch ms), read without verifying anything: it only shortens how long a
 * verdict the API server gave is trusted. Undefined when the token is not a JWT or has no `exp`.
 */
export function tokenExpiryMs(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
