import type { ComponentDecision, ComponentIdentity } from '../pipeline/component-decision.js';
import { RandomBytePool } from '../record-key/random-byte-pool.js';
import { RecordKeyRing } from '../record-key/record-key-ring.js';
import type { DecisionRecordV1, DecisionRecordV2 } from './decision-record.js';

/** A flux meter as the record names it; the compiled flux meter's config object fits. */
export interface FluxMeterReference {
  readonly policyName: string;
  readonly name: string;
}

/** What a Check's decision record is made of, before it is a {@link DecisionRecord}. */
export interface DecisionRecordParts {
  readonly controlPoint: string;
  readonly services: readonly string[];
  readonly decision: 'accepted' | 'rejected';
  /** The pipeline's verdicts, in pipeline order. */
  readonly decisions: readonly ComponentDecision[];
  readonly fluxMeters: readonly FluxMeterReference[];
  /** Telemetry labels (see telemetryLabels). */
  readonly labels: Readonly<Record<string, string>>;
  readonly startedAtMs: number;
  readonly processingMs: number;
}

/** Queue time as the record carries it: ms, rounded to the microsecond. */
function recordedQueueMs(queuedMs: number): number {
  return Math.round(queuedMs * 1000) / 1000;
}

/** One component's entry of the record. */
export function componentRecord(decision: ComponentDecision): DecisionRecordV1['components'][number] {
  return {
    policyName: decision.identity.policyName,
    policyHash: decision.identity.policyHash,
    componentId: decision.identity.componentId,
    kind: decision.kind,
    decision: decision.admitted ? 'accepted' : 'rejected',
    dryRun: !decision.enforced,
    reason: decision.reason,
    ...(decision.workload === undefined ? {} : { workload: decision.workload }),
    tokens: decision.tokens,
    queuedMs: recordedQueueMs(decision.queuedMs),
  };
}

/** The v1 record the parts make, with its properties in schema order. */
export function decisionRecordOf(parts: DecisionRecordParts): DecisionRecordV1 {
  return {
    v: 1,
    controlPoint: parts.controlPoint,
    services: [...parts.services],
    decision: parts.decision,
    components: parts.decisions.map(componentRecord),
    fluxMeters: parts.fluxMeters.map((meter) => ({ policyName: meter.policyName, name: meter.name })),
    labels: { ...parts.labels },
    startedAtMs: parts.startedAtMs,
    processingMs: parts.processingMs,
  };
}

/** What identifies one v2 record: its flow, its nonce and the key that signs it. */
export interface RecordIdentity {
  readonly flowId: string;
  readonly nonce: string;
  readonly keyId: string;
}

/** The v2 record the parts make under `identity`, with its properties in schema order. */
export function decisionRecordV2Of(parts: DecisionRecordParts, identity: RecordIdentity): DecisionRecordV2 {
  const { v: _v, ...decision } = decisionRecordOf(parts);
  return { v: 2, flowId: identity.flowId, nonce: identity.nonce, keyId: identity.keyId, ...decision };
}

/** Nonce size: 96 random bits, so two records of a node never share one (16 base64url characters). */
export const NONCE_BYTES = 12;

/** JSON's spelling of a number: JSON.stringify writes NaN and ±Infinity as null. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * Past this many UTF-16 units a record is encoded through a fresh Buffer instead of the scratch
 * buffer, which therefore never grows past 3 × this (UTF-8 needs at most 3 bytes per unit).
 */
const SCRATCH_MAX_UNITS = 64 * 1024;

export interface DecisionRecordEncoderOptions {
  /** Signs the records (its current key). @default a ring of one ephemeral random key */
  readonly keys?: RecordKeyRing;
  /** Nonces and this encoder's flow-id prefix. @default a pool filled by crypto.randomFillSync */
  readonly random?: RandomBytePool;
}

/**
 * Encodes decision records on the Check path as signed v2 values, `2.<body>.<mac>`, where the body
 * is the base64url of exactly `JSON.stringify(decisionRecordV2Of(parts, identity))` without `v`
 * (the version is the prefix) and the MAC is the current key's over the body and the Check's peer IP.
 *
 * JSON.stringify of the whole record was about a tenth of a Check's CPU with a policy active, most
 * of it the component entries, which barely change: an entry's text up to its tokens is kept per
 * component (by identity object, in a WeakMap, so replaced policies' entries go with them), kind,
 * verdict, dry run, reason and workload. All of these come from compiled policy or a closed set, so
 * the cache is bounded by the policies. Flux-meter entries are kept per meter object. Only the
 * labels, services, control point, tokens, queue time, times, flow id and nonce are written per
 * Check; the base64url goes through one reused buffer; nonces come from a pre-filled random pool.
 */
export class DecisionRecordEncoder {
  /** identity → kind → reason → [rejected dry run, rejected enforced, accepted dry run, accepted enforced] → workload → text. */
  private readonly componentText = new WeakMap<
    ComponentIdentity,
    Map<string, Map<string, Array<Map<string | undefined, string> | undefined>>>
  >();
  private readonly fluxMeterText = new WeakMap<FluxMeterReference, string>();
  private scratch = Buffer.allocUnsafe(4096);
  private readonly keys: RecordKeyRing;
  private readonly random: RandomBytePool;
  /** Flow ids are `<instance>.<sequence>`: 48 random bits tell this encoder's flows from others'. */
  private readonly instance: string;
  private sequence = 0;

  constructor(options: DecisionRecordEncoderOptions = {}) {
    this.random = options.random ?? new RandomBytePool();
    this.keys = options.keys ?? new RecordKeyRing(Buffer.from(this.random.base64url(32), 'base64url'));
    this.instance = this.random.base64url(6);
  }

  /** The signed v2 metadata value for `parts`, bound to the IP of the peer that made the Check. */
  encode(parts: DecisionRecordParts, peerIp: string): string {
    const key = this.keys.current;
    const identity: RecordIdentity = {
      flowId: `${this.instance}.${(this.sequence++).toString(36)}`,
      nonce: this.random.base64url(NONCE_BYTES),
      keyId: key.id,
    };
    const body = this.base64url(this.bodyJson(parts, identity));
    return `2.${body}.${key.mac(peerIp, body)}`;
  }

  /**
   * The v2 body's JSON, as JSON.stringify of decisionRecordV2Of(parts, identity) without `v` writes
   * it.
   */
  bodyJson(parts: DecisionRecordParts, identity: RecordIdentity): string {
    return (
      `{"flowId":${JSON.stringify(identity.flowId)},"nonce":${JSON.stringify(identity.nonce)},` +
      `"keyId":${JSON.stringify(identity.keyId)},${this.decisionJson(parts)}}`
    );
  }

  /** The decision's members, from `"controlPoint"` to `"processingMs"`, without braces. */
  private decisionJson(parts: DecisionRecordParts): string {
    let components = '';
    for (let i = 0; i < parts.decisions.length; i++) {
      const decision = parts.decisions[i] as ComponentDecision;
      components += `${i === 0 ? '' : ','}${this.componentPrefix(decision)},"tokens":${jsonNumber(decision.tokens)},"queuedMs":${jsonNumber(recordedQueueMs(decision.queuedMs))}}`;
    }
    let fluxMeters = '';
    for (let i = 0; i < parts.fluxMeters.length; i++)
      fluxMeters += `${i === 0 ? '' : ','}${this.fluxMeterEntry(parts.fluxMeters[i] as FluxMeterReference)}`;
    return (
      `"controlPoint":${JSON.stringify(parts.controlPoint)},"services":${JSON.stringify(parts.services)},` +
      `"decision":${JSON.stringify(parts.decision)},"components":[${components}],"fluxMeters":[${fluxMeters}],` +
      `"labels":${JSON.stringify(parts.labels)},"startedAtMs":${jsonNumber(parts.startedAtMs)},` +
      `"processingMs":${jsonNumber(parts.processingMs)}`
    );
  }
  /** A component entry up to (not including) `,"tokens":`, cached per identity and outcome. */
  private componentPrefix(decision: ComponentDecision): string {
    let byKind = this.componentText.get(decision.identity);
    if (byKind === undefined) this.componentText.set(decision.identity, (byKind = new Map()));
    let byReason = byKind.get(decision.kind);
    if (byReason === undefined) byKind.set(decision.kind, (byReason = new Map()));
    let byVerdict = byReason.get(decision.reason);
    if (byVerdict === undefined) byReason.set(decision.reason, (byVerdict = []));
    const slot = (decision.admitted ? 2 : 0) + (decision.enforced ? 1 : 0);
    let byWorkload = byVerdict[slot];
    if (byWorkload === undefined) byVerdict[slot] = byWorkload = new Map();
    let text = byWorkload.get(decision.workload);
    if (text === undefined) {
      const { tokens: _tokens, queuedMs: _queuedMs, ...constant } = componentRecord(decision);
      text = JSON.stringify(constant).slice(0, -1);
      byWorkload.set(decision.workload, text);
    }
    return text;
  }

  private fluxMeterEntry(meter: FluxMeterReference): string {
    let text = this.fluxMeterText.get(meter);
    if (text === undefined) {
      text = JSON.stringify({ policyName: meter.policyName, name: meter.name });
      this.fluxMeterText.set(meter, text);
    }
    return text;
  }

  /** Base64url of the UTF-8 of `json`, through the scratch buffer when it fits. */
  private base64url(json: string): string {
    if (json.length > SCRATCH_MAX_UNITS) return Buffer.from(json, 'utf8').toString('base64url');
    if (this.scratch.length < json.length * 3) this.scratch = Buffer.allocUnsafe(json.length * 3);
    const length = this.scratch.write(json, 0, 'utf8');
    return this.scratch.toString('base64url', 0, length);
  }
}
