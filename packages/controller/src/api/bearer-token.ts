import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` without telling a guesser anything through timing: both the
 * presented and the expected token are reduced to HMAC-SHA256 digests under a key drawn at start, and
 * the two 32-byte digests are compared in constant time. A wrong token of any length, a malformed
 * header and a missing one all cost one digest and one comparison of the same size, so neither how much
 * of a guess was right nor the token's length shows in the answer time.
 */
export class BearerTokenCheck {
  readonly #key: Buffer;
  readonly #expected: Buffer;

  /** `key` is for tests; by default 32 random bytes, never stored or shown. */
  constructor(token: string, key: Buffer = randomBytes(32)) {
    this.#key = key;
    this.#expected = this.digest(token);
  }

  /** The HMAC the comparison runs on (exposed so tests can prove every path computes one). */
  digest(text: string): Buffer {
    return createHmac('sha256', this.#key).update(text, 'utf8').digest();
  }

  /** Whether the header carries the token. */
  matches(header: string | undefined): boolean {
    const match = /^Bearer ([^\s].*)$/.exec(header ?? '');
    // Digest something on every path, so a missing header costs what a wrong token does.
    const equal = timingSafeEqual(this.digest(match?.[1] ?? ''), this.#expected);
    return equal && match !== null;
  }
}
