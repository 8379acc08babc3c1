import {
  decodeDecisionRecordV1,
  decodeDecisionRecordV2Body,
  isV1RecordText,
  splitSignedRecord,
  type DecisionRecord,
  type DecisionRecordV2,
} from '../check/decision-record.js';
import type { RecordKeyRing } from '../record-key/record-key-ring.js';
import {
  DURATION_TOLERANCE_MS,
  durationImplausibility,
  type DurationImplausibility,
  type LoggedDurations,
} from './duration-plausibility.js';
import { MAX_REMEMBERED_NONCES, NonceMemory } from './nonce-memory.js';

/** Why a well-formed record was not believed (the `reason` of access_log_records_refused_total). */
export type RecordRefusal =
  /** An unsigned v1 record while acceptV1Records is off. */
  | 'v1-record'
  /** Signed with a key this agent does not hold (neither the current nor the previous one). */
  | 'unknown-key'
  /** The MAC does not match: the body was altered, or the log comes from another peer than the Check. */
  | 'bad-mac'
  /** The Check started longer ago than maxRecordAgeMs (or than the nonce memory still covers). */
  | 'expired'
  /** The Check starts in the future. */
  | 'future-start'
  /** This record was accepted before. */
  | 'replayed'
  | DurationImplausibility
  /** The nonce memory is full of records newer than this one's (see NonceMemory). */
  | 'nonce-memory-full';

/** The closed set of refusal reasons, in the README's order. */
export const RECORD_REFUSALS: readonly RecordRefusal[] = [
  'v1-record',
  'unknown-key',
  'bad-mac',
  'expired',
  'future-start',
  'replayed',
  'implausible-duration',
  'implausible-authz-duration',
  'nonce-memory-full',
];

/** A refusal and what exactly was wrong (for debug logs). */
export interface Refusal {
  readonly reason: RecordRefusal;
  readonly detail: string;
}

/** One metadata value read: a record to look at further, a refusal, or something that is no record. */
export type RecordRead =
  | { readonly kind: 'record'; readonly record: DecisionRecord }
  | ({ readonly kind: 'refused' } & Refusal)
  | { readonly kind: 'malformed'; readonly detail: string };

export interface RecordVerifierOptions {
  /** The agent's record keys (the ones its Checks sign with). */
  readonly keys: RecordKeyRing;
  /** Wall clock, epoch ms (what records' start times are on). */
  readonly wallClockMs: () => number;
  /** Read unsigned v1 records (upgrades from 0.1 only). */
  readonly acceptV1Records: boolean;
  readonly maxRecordAgeMs: number;
  /** @default DURATION_TOLERANCE_MS */
  readonly toleranceMs?: number;
  /** @default MAX_REMEMBERED_NONCES */
  readonly maxNonces?: number;
}

/** A nonce as the agent draws them: 16 base64url characters (96 bits); longer is allowed. */
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const KEY_ID_FIELD = '"keyId":"';

/**
 * Decides which decision records in access logs the agent believes. Everything in an OTLP Export
 * but the record's signed body is the sender's word, and anyone who reaches the gRPC port can send
 * one; a record is believed only when
 * 1. it is v2 (or v1 with acceptV1Records on) and its MAC verifies under the current or previous
 *    key for the IP of the peer sending the log (the Check's peer IP is in the MAC): not forged, not
 *    altered, not sent by another pod;
 * 2. its Check started no longer ago than maxRecordAgeMs, and not in the future;
 * 3. its nonce was not accepted before (NonceMemory), and
 * 4. the durations Envoy added are possible for it (durationImplausibility).
 * 1–2 are `read`, before the rest of the log record is looked at; 3–4 are `admit`, once the
 * durations are parsed. Only an admitted record consumes its nonce, so a refusal for durations
 * leaves the record usable by the real access log that carries it.
 */
export class RecordVerifier {
  private readonly nonces: NonceMemory;
  private readonly toleranceMs: number;

  constructor(private readonly options: RecordVerifierOptions) {
    this.toleranceMs = options.toleranceMs ?? DURATION_TOLERANCE_MS;
    this.nonces = new NonceMemory({
      maxAgeMs: options.maxRecordAgeMs,
      maxNonces: options.maxNonces ?? MAX_REMEMBERED_NONCES,
    });
  }

  /** Nonces remembered (for the gauge). */
  get rememberedNonces(): number {
    return this.nonces.size;
  }

  /** Checks format, signature and age of one `aperture.check_response` value sent by `peerIp`. */
  read(encoded: string, peerIp: string): RecordRead {
    if (encoded.startsWith('2.')) return this.readV2(encoded, peerIp);
    if (!isV1RecordText(encoded))
      return { kind: 'malformed', detail: 'decision metadata is neither a v2 record (2.…) nor a v1 one' };
    if (!this.options.acceptV1Records)
      return {
        kind: 'refused',
        reason: 'v1-record',
        detail: 'an unsigned v1 decision record, and acceptV1Records is off',
      };
    let record: DecisionRecord;
    try {
      record = decodeDecisionRecordV1(encoded);
    } catch (error) {
      return { kind: 'malformed', detail: (error as Error).message };
    }
    return this.aged(record);
  }

  /**
   * Checks the durations of a flow of a record `read` returned and, for v2, takes its nonce. An
   * undefined answer means the flow may be metered.
   */
  admit(record: DecisionRecord, logged: LoggedDurations): Refusal | undefined {
    const nowMs = this.options.wallClockMs();
    if (record.v === 2 && this.nonces.seen(record.nonce, record.startedAtMs))
      return { reason: 'replayed', detail: `nonce ${record.nonce} was accepted before` };
    const implausible = durationImplausibility(record, logged, nowMs, this.toleranceMs);
    if (implausible !== undefined)
      return {
        reason: implausible,
        detail: `durations ${JSON.stringify(logged)} impossible for a Check that started ${nowMs - record.startedAtMs} ms ago and took ${record.processingMs} ms`,
      };
    if (record.v !== 2) return undefined;
    switch (this.nonces.remember(record.nonce, record.startedAtMs, nowMs)) {
      case 'fresh':
        return undefined;
      case 'replayed':
        return { reason: 'replayed', detail: `nonce ${record.nonce} was accepted before` };
      case 'full':
        return { reason: 'nonce-memory-full', detail: 'every remembered nonce is newer than this record' };
    }
  }

  private readV2(encoded: string, peerIp: string): RecordRead {
    const signed = splitSignedRecord(encoded);
    if (signed === undefined) return { kind: 'malformed', detail: 'decision metadata is not 2.<body>.<mac>' };
    const { keys } = this.options;
    const verified =
      keys.current.verify(peerIp, signed.body, signed.mac) ||
      (keys.previous?.verify(peerIp, signed.body, signed.mac) ?? false);
    if (!verified) return this.unverified(signed.body);
    let record: DecisionRecordV2;
    try {
      record = decodeDecisionRecordV2Body(signed.body);
    } catch (error) {
      // Signed, yet not a body this agent writes: only a key holder's bug can do that.
      return { kind: 'malformed', detail: (error as Error).message };
    }
    if (!NONCE.test(record.nonce))
      return { kind: 'malformed', detail: 'decision record nonce is not 16 to 64 base64url characters' };
    return this.aged(record);
  }

  /** Why a MAC did not verify: the key id the body names (unverified, so only for the reason). */
  private unverified(body: string): RecordRead {
    const text = Buffer.from(body, 'base64url').toString('latin1');
    const from = text.indexOf(KEY_ID_FIELD) + KEY_ID_FIELD.length;
    const to = from < KEY_ID_FIELD.length ? -1 : text.indexOf('"', from);
    const keyId = to < 0 ? undefined : text.slice(from, to);
    if (keyId !== undefined && this.options.keys.byId(keyId) === undefined)
      return {
        kind: 'refused',
        reason: 'unknown-key',
        detail: `signed with key ${JSON.stringify(keyId.slice(0, 16))}, which this agent does not hold`,
      };
    return {
      kind: 'refused',
      reason: 'bad-mac',
      detail: 'the MAC does not match the body for the sending peer (altered, forged, or from another pod)',
    };
  }

  private aged(record: DecisionRecord): RecordRead {
    const nowMs = this.options.wallClockMs();
    if (record.startedAtMs < this.nonces.oldestStartMs(nowMs))
      return {
        kind: 'refused',
        reason: 'expired',
        detail: `the Check started ${nowMs - record.startedAtMs} ms ago (at most ${nowMs - this.nonces.oldestStartMs(nowMs)} ms)`,
      };
    if (record.startedAtMs > nowMs + this.toleranceMs)
      return {
        kind: 'refused',
        reason: 'future-start',
        detail: `the Check starts ${record.startedAtMs - nowMs} ms in the future`,
      };
    return { kind: 'record', record };
  }
}
