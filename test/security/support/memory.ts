/** Process memory from /proc, for the security tests' bounds (peak RSS is what an OOM kill sees). */
import { readFileSync } from 'node:fs';

const MIB = 1024 * 1024;

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+([0-9]+) kB$`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  if (match?.[1] === undefined) throw new Error(`no ${field} for process ${pid}`);
  return (Number(match[1]) * 1024) / MIB;
}

/** Peak resident set size of a live process since it started, MiB (VmHWM). */
export function peakResidentMiB(pid: number): number {
  return statusField(pid, 'VmHWM');
}

/** Resident set size now, MiB (VmRSS). */
export function residentMiB(pid: number): number {
  return statusField(pid, 'VmRSS');
}
