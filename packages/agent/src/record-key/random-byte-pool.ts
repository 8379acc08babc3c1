import { randomFillSync } from 'node:crypto';

/** Fills `target` with cryptographically strong random bytes. */
export type RandomFill = (target: Buffer) => void;

/** The system's CSPRNG (crypto.randomFillSync). */
export const systemRandomFill: RandomFill = (target) => {
  randomFillSync(target);
};

/** Bytes drawn per fill: one call of a few µs serves hundreds of nonces. */
const POOL_BYTES = 4096;

/**
 * Random bytes handed out in small pieces from a buffer filled in one call. A CSPRNG call per Check
 * costs about as much as the record's MAC; drawing 4 KiB at a time costs a few ns per nonce. The
 * bytes leave the pool only as strings, so a refill never changes one already handed out.
 */
export class RandomBytePool {
  private readonly pool = Buffer.alloc(POOL_BYTES);
  private offset = POOL_BYTES;

  constructor(private readonly fill: RandomFill = systemRandomFill) {}

  /**
   * `size` fresh random bytes as base64url (no padding).
   * @throws RangeError for a size that is not a whole number from 1 to 4096.
   */
  base64url(size: number): string {
    if (!Number.isInteger(size) || size < 1 || size > POOL_BYTES)
      throw new RangeError(`random byte pool: size ${size} must be a whole number from 1 to ${POOL_BYTES}`);
    if (this.offset + size > POOL_BYTES) {
      this.fill(this.pool);
      this.offset = 0;
    }
    const text = this.pool.toString('base64url', this.offset, this.offset + size);
    this.offset += size;
    return text;
  }
}
