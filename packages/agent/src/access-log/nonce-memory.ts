import { FingerprintSet } from './fingerprint-set.js';

/**
 * Nonces remembered at most, over all generations: 16 to 32 MiB of tables. Past it the oldest
 * generation is forgotten early, and records that started before what is still remembered are
 * refused as expired: the window shrinks, replays stay refused.
 */
export const MAX_REMEMBERED_NONCES = 1 << 20;
/** Generations a max age is cut into: memory holds 1 + 1/8 max ages of nonces at most. */
const GENERATIONS = 8;

export interface NonceMemoryOptions {
  /** Records whose Check started longer ago are refused by the caller, so their nonces can go. */
  readonly maxAgeMs: number;
  /** @default MAX_REMEMBERED_NONCES */
  readonly maxNonces?: number;
}

/** base64url character → its 6 bits; -1 for any other character. */
const SEXTETS = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  .split('')
  .forEach((character, value) => (SEXTETS[character.charCodeAt(0)] = value));

/** Characters of a nonce the fingerprint reads: 10 × 6 = 60 bits. */
export const NONCE_FINGERPRINT_CHARS = 10;

/** 30 bits from five base64url characters at `from`; undefined for any other character. */
function word(nonce: string, from: number): number | undefined {
  let value = 0;
  for (let i = from; i < from + 5; i++) {
    const code = nonce.charCodeAt(i);
    const sextet = code < 128 ? (SEXTETS[code] as number) : -1;
    if (sextet < 0) return undefined;
    value = value * 64 + sextet;
  }
  return value;
}

/** The fingerprint of a nonce: its first 60 bits. */
function fingerprint(nonce: string): [number, number] | undefined {
  if (nonce.length < NONCE_FINGERPRINT_CHARS) return undefined;
  const high = word(nonce, 0);
  const low = word(nonce, 5);
  return high === undefined || low === undefined ? undefined : [high, low];
}

/** What remembering a nonce found. */
export type NonceOutcome = 'fresh' | 'replayed' | 'full';

/**
 * The nonces of accepted decision records, so each record is accepted once. Nonces are kept in
 * generations by the start time their record carries (a signed field): a nonce lives in exactly one
 * generation, and a generation is dropped whole once every record in it is older than the max age,
 * which the caller refuses anyway. Memory is therefore bounded by the records accepted per second ×
 * 1.125 max ages, and by MAX_REMEMBERED_NONCES (then the window shrinks, see there). Nonces are
 * random (the agent draws 96 bits); 60 of them are kept: two of a million records collide about once
 * in two million full memories, which would refuse one real record.
 */
export class NonceMemory {
  private readonly generationMs: number;
  private readonly maxNonces: number;
  private readonly generations = new Map<number, FingerprintSet>();
  /** Records that started before this were forgotten early (memory full): refuse them. */
  private floorMs = -Infinity;
  private total = 0;

  /** @throws RangeError for a max age or capacity that is not a positive number. */
  constructor(private readonly options: NonceMemoryOptions) {
    if (!Number.isFinite(options.maxAgeMs) || options.maxAgeMs <= 0)
      throw new RangeError(`nonce memory: maxAgeMs ${options.maxAgeMs} must be a positive number`);
    this.maxNonces = options.maxNonces ?? MAX_REMEMBERED_NONCES;
    if (!Number.isInteger(this.maxNonces) || this.maxNonces < 1)
      throw new RangeError(`nonce memory: maxNonces ${this.maxNonces} must be a whole number ≥ 1`);
    this.generationMs = options.maxAgeMs / GENERATIONS;
  }

  /** Nonces remembered. */
  get size(): number {
    return this.total;
  }

  /** Bytes of the tables. */
  get bytes(): number {
    let bytes = 0;
    for (const set of this.generations.values()) bytes += set.bytes;
    return bytes;
  }

  /**
   * The earliest start time a record may carry now and still be checked against the nonces seen:
   * `nowMs` − max age, or later while the memory is full.
   */
  oldestStartMs(nowMs: number): number {
    return Math.max(nowMs - this.options.maxAgeMs, this.floorMs);
  }

  /** Whether a nonce with this start was remembered. A nonce the agent could not have drawn is never seen. */
  seen(nonce: string, startedAtMs: number): boolean {
    const print = fingerprint(nonce);
    if (print === undefined) return false;
    return this.generations.get(this.generationOf(startedAtMs))?.has(print[0], print[1]) ?? false;
  }

  /**
   * Remembers the nonce of a record that started at `startedAtMs` (checked by the caller to be no
   * older than oldestStartMs). `replayed` when it was there already; `full` when the memory holds
   * MAX nonces and nothing older than this record's generation can be forgotten.
   */
  remember(nonce: string, startedAtMs: number, nowMs: number): NonceOutcome {
    const print = fingerprint(nonce);
    if (print === undefined) return 'replayed';
    this.expire(nowMs);
    const generation = this.generationOf(startedAtMs);
    let set = this.generations.get(generation);
    if (set?.has(print[0], print[1]) === true) return 'replayed';
    while (this.total >= this.maxNonces) if (!this.forgetOldestBefore(generation)) return 'full';
    if (set === undefined) this.generations.set(generation, (set = new FingerprintSet()));
    set.add(print[0], print[1]);
    this.total++;
    return 'fresh';
  }

  private generationOf(startedAtMs: number): number {
    return Math.floor(startedAtMs / this.generationMs);
  }

  /** Drops generations whose every record is past the max age. */
  private expire(nowMs: number): void {
    const oldest = nowMs - this.options.maxAgeMs;
    for (const [generation, set] of this.generations) {
      if ((generation + 1) * this.generationMs <= oldest) {
        this.generations.delete(generation);
        this.total -= set.size;
      }
    }
  }

  /** Forgets the oldest generation if it is older than `generation`; false when none is. */
  private forgetOldestBefore(generation: number): boolean {
    let oldest: number | undefined;
    for (const candidate of this.generations.keys())
      if (oldest === undefined || candidate < oldest) oldest = candidate;
    if (oldest === undefined || oldest >= generation) return false;
    this.total -= this.generations.get(oldest)?.size ?? 0;
    this.generations.delete(oldest);
    this.floorMs = Math.max(this.floorMs, (oldest + 1) * this.generationMs);
    return true;
  }
}
