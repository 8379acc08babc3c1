import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** Key sizes the agent accepts, in bytes: at least 128 bits; a few KiB at most. */
export const MIN_RECORD_KEY_BYTES = 16;
export const MAX_RECORD_KEY_BYTES = 4096;
/** MAC length on the wire: HMAC-SHA256 truncated to 128 bits (22 base64url characters). */
export const RECORD_MAC_BYTES = 16;
const MAC_TEXT_LENGTH = 22;

/**
 * Separates decision-record MACs from any other use of the same key, and binds the record version:
 * a MAC made for another format or purpose never verifies here.
 */
const MAC_DOMAIN_TAG = 'sluice.decision-record.v2';
const KEY_ID_DOMAIN_TAG = 'sluice.decision-record.key-id';

/** Why a key was refused. */
export class RecordKeyError extends Error {
  override readonly name = 'RecordKeyError';
}

/**
 * One record key. `id` names it in records (8 base64url characters, an HMAC of a fixed text under
 * the key, so it tells nothing about the key), which lets a verifier pick the key without trying
 * each and tell "signed with a key I do not hold" apart from "altered".
 */
export class RecordKey {
  readonly id: string;
  private readonly secret: KeyObject;
  private readonly bytes: Buffer;

  /** @throws RecordKeyError for a key shorter than 16 or longer than 4096 bytes. */
  constructor(bytes: Uint8Array) {
    if (bytes.length < MIN_RECORD_KEY_BYTES || bytes.length > MAX_RECORD_KEY_BYTES)
      throw new RecordKeyError(
        `a record key is ${bytes.length} bytes; it must be ${MIN_RECORD_KEY_BYTES} to ${MAX_RECORD_KEY_BYTES} bytes`,
      );
    this.bytes = Buffer.from(bytes);
    this.secret = createSecretKey(this.bytes);
    this.id = createHmac('sha256', this.secret)
      .update(KEY_ID_DOMAIN_TAG)
      .digest()
      .toString('base64url', 0, 6);
  }

  /** True when `bytes` are this key's bytes. */
  equals(bytes: Uint8Array): boolean {
    return bytes.length === this.bytes.length && timingSafeEqual(bytes, this.bytes);
  }

  /**
   * The MAC of a record body for the peer that made the Check, as base64url: HMAC-SHA256(key,
   * tag ‖ 0x00 ‖ peer IP ‖ 0x00 ‖ body), truncated to 16 bytes. `body` is the record's base64url
   * text exactly as it travels, so any change to it, however decoders would read it, fails.
   */
  mac(peerIp: string, body: string): string {
    return createHmac('sha256', this.secret)
      .update(`${MAC_DOMAIN_TAG}\u0000${peerIp}\u0000`, 'utf8')
      .update(body, 'latin1')
      .digest()
      .toString('base64url', 0, RECORD_MAC_BYTES);
  }

  /** Whether `mac` is this key's MAC of `body` for `peerIp`, compared in constant time. */
  verify(peerIp: string, body: string, mac: string): boolean {
    if (mac.length !== MAC_TEXT_LENGTH) return false;
    const expected = Buffer.from(this.mac(peerIp, body), 'latin1');
    const given = Buffer.from(mac, 'latin1');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/**
 * The keys records are signed and verified with: the current one signs; it and the one before it
 * verify, so records signed just before a rotation (still in Envoy's log buffer) are read after it.
 */
export class RecordKeyRing {
  private currentKey: RecordKey;
  private previousKey: RecordKey | undefined;

  /** @throws RecordKeyError for a key of the wrong size. */
  constructor(first: Uint8Array) {
    this.currentKey = new RecordKey(first);
  }

  get current(): RecordKey {
    return this.currentKey;
  }

  get previous(): RecordKey | undefined {
    return this.previousKey;
  }

  /**
   * Makes `bytes` the current key and the current one the previous. The same bytes again change
   * nothing. Returns whether the ring changed.
   * @throws RecordKeyError for a key of the wrong size (the ring is then unchanged).
   */
  rotate(bytes: Uint8Array): boolean {
    if (this.currentKey.equals(bytes)) return false;
    const next = new RecordKey(bytes);
    this.previousKey = this.currentKey;
    this.currentKey = next;
    return true;
  }

  /** The current or previous key with this id. */
  byId(id: string): RecordKey | undefined {
    if (this.currentKey.id === id) return this.currentKey;
    return this.previousKey?.id === id ? this.previousKey : undefined;
  }
}
