import type { ComponentDecision, ComponentIdentity } from '../pipeline/component-decision.js';
import type { DecisionRecord } from './decision-record.js';

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
export function componentRecord(decision: ComponentDecision): DecisionRecord['components'][number] {
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

/** The record the parts make, with its properties in schema order. */
export function decisionRecordOf(parts: DecisionRecordParts): DecisionRecord {
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

/** JSON's spelling of a number: JSON.stringify writes NaN and ±Infinity as null. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * Past this many UTF-16 units a record is encoded through a fresh Buffer instead of the scratch
 * buffer, which therefore never grows past 3 × this (UTF-8 needs at most 3 bytes per unit).
 */
const SCRATCH_MAX_UNITS = 64 * 1024;

/**
 * Encodes decision records on the Check path, to exactly the bytes of
 * `encodeDecisionRecord(decisionRecordOf(parts))` (JSON.stringify, then base64 of the UTF-8).
 * JSON.stringify of the whole record was about a tenth of a Check's CPU with a policy active, most
 * of it the component entries, which barely change: an entry's text up to its tokens is kept per
 * component (by identity object, in a WeakMap, so replaced policies' entries go with them), kind,
 * verdict, dry run, reason and workload. All of these come from compiled policy or a closed set, so
 * the cache is bounded by the policies. Flux-meter entries are kept per meter object. Only the
 * labels, services, control point, tokens, queue time and times are written per Check, and the
 * base64 goes through one reused buffer.
 */
export class DecisionRecordEncoder {
  /** identity → kind → reason → [rejected dry run, rejected enforced, accepted dry run, accepted enforced] → workload → text. */
  private readonly componentText = new WeakMap<
    ComponentIdentity,
    Map<string, Map<string, Array<Map<string | undefined, string> | undefined>>>
  >();
  private readonly fluxMeterText = new WeakMap<FluxMeterReference, string>();
  private scratch = Buffer.allocUnsafe(4096);

  /** The base64 metadata value for `parts`. */
  encode(parts: DecisionRecordParts): string {
    return this.base64(this.json(parts));
  }

  /** The record's JSON, as JSON.stringify(decisionRecordOf(parts)) writes it. */
  json(parts: DecisionRecordParts): string {
    let components = '';
    for (let i = 0; i < parts.decisions.length; i++) {
      const decision = parts.decisions[i] as ComponentDecision;
      components += `${i === 0 ? '' : ','}${this.componentPrefix(decision)},"tokens":${jsonNumber(decision.tokens)},"queuedMs":${jsonNumber(recordedQueueMs(decision.queuedMs))}}`;
    }
    let fluxMeters = '';
    for (let i = 0; i < parts.fluxMeters.length; i++)
      fluxMeters += `${i === 0 ? '' : ','}${this.fluxMeterEntry(parts.fluxMeters[i] as FluxMeterReference)}`;
    return (
      `{"v":1,"controlPoint":${JSON.stringify(parts.controlPoint)},"services":${JSON.stringify(parts.services)},` +
      `"decision":${JSON.stringify(parts.decision)},"components":[${components}],"fluxMeters":[${fluxMeters}],` +
      `"labels":${JSON.stringify(parts.labels)},"startedAtMs":${jsonNumber(parts.startedAtMs)},` +
      `"processingMs":${jsonNumber(parts.processingMs)}}`
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

  /** Base64 of the UTF-8 of `json`, through the scratch buffer when it fits. */
  private base64(json: string): string {
    if (json.length > SCRATCH_MAX_UNITS) return Buffer.from(json, 'utf8').toString('base64');
    if (this.scratch.length < json.length * 3) this.scratch = Buffer.allocUnsafe(json.length * 3);
    const length = this.scratch.write(json, 0, 'utf8');
    return this.scratch.toString('base64', 0, length);
  }
}
