/**
 * The soak's verdicts and its tables: the growth checks, plus whether the load and the churn really
 * happened (every Check answered without error, every push rebuilt on the agent). A soak that did
 * not run what it claims must not PASS. Pure.
 */
import { formatNumber, renderTable } from '../report/table.js';
import type { GrowthCheck, GrowthWindows, SeriesSlice, Verdict } from './growth.js';
import type { ChurnTally } from './policy-churn.js';
import type { AgentCounters } from './process-sampler.js';

/** Checks over the paced run, from h2load (sent, answered) and the agent's own counters. */
export interface CheckTally {
  /** Requests h2load was asked to send, all segments. */
  readonly sent: number;
  /** Answered with HTTP 200 (a gRPC answer; errors are counted by the agent, below). */
  readonly answered: number;
  /** h2load's failed + errored + timed out. */
  readonly failed: number;
  readonly offeredPerSecond: number;
  /** Answered ÷ the summed wall time of the segments. */
  readonly achievedPerSecond: number;
  readonly segments: number;
}

export interface RunCheck {
  readonly name: string;
  readonly measured: string;
  readonly limit: string;
  readonly verdict: Verdict;
}

/** The load and churn checks: Checks answered, Check errors, pushes verified, policy errors. */
export function runChecks(inputs: {
  readonly checks: CheckTally;
  /** The agent's counter deltas over the paced run. */
  readonly agent: AgentCounters;
  readonly churn: ChurnTally;
}): RunCheck[] {
  const { checks, agent, churn } = inputs;
  const verdict = (ok: boolean): Verdict => (ok ? 'PASS' : 'MISS');
  return [
    {
      name: 'Checks answered ÷ sent (h2load)',
      measured: `${checks.answered.toLocaleString('en-US')} / ${checks.sent.toLocaleString('en-US')}, ${checks.failed} failed`,
      limit: 'all, 0 failed',
      verdict: verdict(checks.sent > 0 && checks.answered === checks.sent && checks.failed === 0),
    },
    {
      name: 'Checks answered with a gRPC error (agent check_errors_total)',
      measured: String(agent.checkErrors),
      limit: '0',
      verdict: verdict(agent.checkErrors === 0),
    },
    {
      name: 'policy pushes the agent runs (verified by a Check)',
      measured: `${churn.verified} / ${churn.pushes}`,
      limit: 'all',
      verdict: verdict(churn.pushes > 0 && churn.verified === churn.pushes),
    },
    {
      name: 'policies rejected or not built (agent policy_errors_total)',
      measured: String(agent.policyErrors),
      limit: '0',
      verdict: verdict(agent.policyErrors === 0),
    },
  ];
}

/** PASS only when nothing is a MISS (a SKIP, an unexposed metric, does not fail the soak). */
export function soakPassed(growth: readonly GrowthCheck[], run: readonly RunCheck[]): boolean {
  return [...growth, ...run].every((check) => check.verdict !== 'MISS');
}

const MIB = 1024 * 1024;

function minutes(ms: number): string {
  return (ms / 60_000).toFixed(ms < 60_000 ? 2 : 1);
}

/** Handle and descriptor counts are whole numbers; formatNumber would print 39 as 39.00. */
function count(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
}

function sized(value: number, unit: GrowthCheck['unit']): string {
  return unit === 'bytes' ? `${formatNumber(value / MIB)} MiB` : count(value);
}

export function seriesTable(series: readonly SeriesSlice[]): string {
  return renderTable(
    [
      'minutes',
      'samples',
      'RSS median (MiB)',
      'heap used median (MiB)',
      'fds max',
      'handles max',
      'Checks/s',
    ],
    series.map((slice) => [
      `${minutes(slice.fromMs)}–${minutes(slice.toMs)}`,
      String(slice.samples),
      formatNumber(slice.rssMedianBytes / MIB),
      formatNumber(slice.heapUsedMedianBytes / MIB),
      count(slice.openFdsMax),
      count(slice.activeHandlesMax),
      formatNumber(slice.checksPerSecond),
    ]),
  );
}

export function growthTable(checks: readonly GrowthCheck[]): string {
  return renderTable(
    ['check', 'statistic', 'at warm-up end', 'at the end', 'growth', 'limit', 'verdict'],
    checks.map((check) => [
      check.note === undefined ? check.name : `${check.name} (${check.note})`,
      `${check.statistic} of ${check.samples.reference} / ${check.samples.final}`,
      sized(check.atWarmUpEnd, check.unit),
      sized(check.atEnd, check.unit),
      check.unit === 'bytes'
        ? `${formatNumber(check.growthPercent)} %`
        : `${check.growthAbsolute >= 0 ? '+' : ''}${count(check.growthAbsolute)}`,
      check.limit,
      check.verdict,
    ]),
  );
}

export function runTable(checks: readonly RunCheck[]): string {
  return renderTable(
    ['check', 'measured', 'limit', 'verdict'],
    checks.map((check) => [check.name, check.measured, check.limit, check.verdict]),
  );
}

/** The windows as a sentence for the table heading. */
export function windowsText(windows: GrowthWindows): string {
  return (
    `warm-up: the first ${minutes(windows.warmUpEndMs)} min (${Math.round((windows.warmUpEndMs / windows.endMs) * 100)}%); compared: ` +
    `${minutes(windows.warmUpEndMs)}–${minutes(windows.referenceEndMs)} min (after warm-up) vs ` +
    `${minutes(windows.finalStartMs)}–${minutes(windows.endMs)} min (the end)`
  );
}
