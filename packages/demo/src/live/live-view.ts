/** The live terminal view: one line per second, a header every 20 lines. Pure. */
import type { RunSecond } from './run-record.js';

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '     -' : `${value.toFixed(0).padStart(4)}ms`;

export function viewHeader(workloads: readonly string[]): string {
  const columns = workloads.map((name) => `${name} off/adm/rej`.padEnd(22)).join(' | ');
  return `   t stage     | ${columns} | upstream p50   p90 | setpoint  LM`;
}

export function viewLine(second: RunSecond, workloads: readonly string[]): string {
  const columns = workloads
    .map((name) => {
      const counts = second.workloads[name] ?? { offered: 0, admitted: 0, rejected: 0 };
      return `${String(counts.offered).padStart(5)} ${String(counts.admitted).padStart(5)} ${String(counts.rejected).padStart(5)}`.padEnd(
        22,
      );
    })
    .join(' | ');
  const lm =
    second.loadMultiplier === undefined
      ? second.loopState === 'warming-up'
        ? 'warm-up'
        : 'pass'
      : second.loadMultiplier.toFixed(2);
  return `${String(second.second).padStart(3)}s ${second.stage.padEnd(9)} | ${columns} |        ${ms(second.upstreamP50Ms)} ${ms(second.upstreamP90Ms)} |   ${ms(second.setpointMs)} ${lm}`;
}
