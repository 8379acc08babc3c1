/**
 * From repeated runs to the figures and targets of the decision path. Every figure is the median of
 * the repeats; every target is a ratio to the bare server measured in the same run, so a machine that
 * is slower today moves both sides. Pure.
 */
import { judge, type Figure, type TargetResult } from '../report/figures.js';
import { median, ratio } from '../report/stats.js';
import { SERVER_LABELS, type ServerKind } from './check-servers.js';

export const SECTION = 'decision-path';

/**
 * CPU per decision with a policy active, as a multiple of the bare server's, both at the same
 * offered rate. Node's cost per request falls as its rate rises (more frames per read, more
 * answers per write), so at their own peaks a slower server pays for being slower twice: the
 * ratio at peak restates the ratio of peaks. It is reported beside this one.
 */
export const CPU_RATIO_TARGET = 1.5;
/** p99.9 latency at 50% of the bare peak, as a multiple of the bare server's. */
export const P999_RATIO_TARGET = 2;
/** A paced run counts as sustained when the server answered at least this share of the offered rate. */
export const SUSTAINED_SHARE = 0.95;

/** One saturating run (h2load as fast as the server answers). */
export interface PeakRepeat {
  readonly decisionsPerSecond: number;
  readonly cpuSecondsPerDecision: number;
}

/** One paced run at 50% of the bare server's peak. */
export interface RateRepeat {
  readonly achievedPerSecond: number;
  readonly cpuSecondsPerDecision: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /** Share of Checks the agent accepted (NaN for the bare server). */
  readonly acceptedShare: number;
}

export interface ServerRepeats {
  readonly kind: ServerKind;
  readonly peak: readonly PeakRepeat[];
  readonly rate: readonly RateRepeat[];
}

export interface ServerSummary {
  readonly kind: ServerKind;
  readonly peakPerSecond: number;
  readonly cpuMicrosPerDecisionAtPeak: number;
  readonly cpuMicrosPerDecisionAtRate: number;
  readonly achievedPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly acceptedShare: number;
}

export function summarise(repeats: ServerRepeats): ServerSummary {
  const m = <T>(list: readonly T[], pick: (item: T) => number) => median(list.map(pick));
  return {
    kind: repeats.kind,
    peakPerSecond: m(repeats.peak, (r) => r.decisionsPerSecond),
    cpuMicrosPerDecisionAtPeak: m(repeats.peak, (r) => r.cpuSecondsPerDecision) * 1e6,
    cpuMicrosPerDecisionAtRate: m(repeats.rate, (r) => r.cpuSecondsPerDecision) * 1e6,
    achievedPerSecond: m(repeats.rate, (r) => r.achievedPerSecond),
    p50Ms: m(repeats.rate, (r) => r.p50Ms),
    p99Ms: m(repeats.rate, (r) => r.p99Ms),
    p999Ms: m(repeats.rate, (r) => r.p999Ms),
    acceptedShare: m(repeats.rate, (r) => r.acceptedShare),
  };
}

export function decisionFigures(summaries: readonly ServerSummary[], ratePerSecond: number): Figure[] {
  const bare = summaries.find((summary) => summary.kind === 'bare');
  const figures: Figure[] = [];
  for (const summary of summaries) {
    const label = SERVER_LABELS[summary.kind];
    const add = (name: string, value: number, unit: string, note?: string) =>
      figures.push({ section: SECTION, name: `${label}: ${name}`, value, unit, ...(note ? { note } : {}) });
    add('peak decisions/s', summary.peakPerSecond, '/s');
    add('CPU per decision at peak', summary.cpuMicrosPerDecisionAtPeak, 'µs');
    add(`CPU per decision at ${Math.round(ratePerSecond)}/s`, summary.cpuMicrosPerDecisionAtRate, 'µs');
    add(`achieved rate (offered ${Math.round(ratePerSecond)}/s)`, summary.achievedPerSecond, '/s');
    add('p50 latency', summary.p50Ms, 'ms');
    add('p99 latency', summary.p99Ms, 'ms');
    add('p99.9 latency', summary.p999Ms, 'ms');
    if (summary.kind === 'agent-lm-0.5') add('accepted share', summary.acceptedShare * 100, '%');
    if (bare !== undefined && summary.kind !== 'bare') {
      add(
        'CPU per decision at peak ÷ bare at peak',
        ratio(summary.cpuMicrosPerDecisionAtPeak, bare.cpuMicrosPerDecisionAtPeak),
        '×',
      );
      add(
        `CPU per decision at ${Math.round(ratePerSecond)}/s ÷ bare`,
        ratio(summary.cpuMicrosPerDecisionAtRate, bare.cpuMicrosPerDecisionAtRate),
        '×',
      );
      add('p99.9 ÷ bare', ratio(summary.p999Ms, bare.p999Ms), '×');
    }
  }
  return figures;
}

export function decisionTargets(summaries: readonly ServerSummary[], ratePerSecond: number): TargetResult[] {
  const bare = summaries.find((summary) => summary.kind === 'bare');
  const of = (kind: ServerKind) => summaries.find((summary) => summary.kind === kind);
  const targets: TargetResult[] = [];
  for (const kind of ['agent-pass-through', 'agent-lm-0.5'] as const) {
    const agent = of(kind);
    targets.push(
      whenSustained(
        judge({
          section: SECTION,
          name: `CPU per decision at 50% of bare peak, ${SERVER_LABELS[kind]} ÷ bare`,
          measured: ratio(
            agent?.cpuMicrosPerDecisionAtRate ?? Number.NaN,
            bare?.cpuMicrosPerDecisionAtRate ?? Number.NaN,
          ),
          comparison: 'at-most',
          limit: CPU_RATIO_TARGET,
          unit: '×',
        }),
        agent,
        ratePerSecond,
      ),
    );
  }
  const passThrough = of('agent-pass-through');
  targets.push(
    whenSustained(
      judge({
        section: SECTION,
        name: `p99.9 at 50% of bare peak, ${SERVER_LABELS['agent-pass-through']} ÷ bare`,
        measured: ratio(passThrough?.p999Ms ?? Number.NaN, bare?.p999Ms ?? Number.NaN),
        comparison: 'at-most',
        limit: P999_RATIO_TARGET,
        unit: '×',
      }),
      passThrough,
      ratePerSecond,
    ),
  );
  return targets;
}

/**
 * The target, or a MISS when the agent fell short of the offered rate. h2load caps the streams in
 * flight, so a server slower than the offered rate shows a bounded latency and a lower rate instead
 * of a growing queue, and its CPU per decision is taken at another rate: neither compares.
 */
function whenSustained(
  target: TargetResult,
  agent: ServerSummary | undefined,
  ratePerSecond: number,
): TargetResult {
  if (agent === undefined || agent.achievedPerSecond >= SUSTAINED_SHARE * ratePerSecond) return target;
  return {
    ...target,
    verdict: 'MISS',
    note: `the agent sustained ${Math.round(agent.achievedPerSecond)} of ${Math.round(ratePerSecond)}/s: saturated, not comparable at this rate`,
  };
}
