/** Peak memory of a live process, for the security tests' bounds. */
import { readFileSync } from 'node:fs';

/** Peak resident set size of a live process, bytes: the kernel's high-water mark (VmHWM in /proc). */
export function peakResidentBytes(pid: number): number {
  const match = /^VmHWM:\s+([0-9]+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`no VmHWM for process ${pid}`);
  return Number(match[1]) * 1024;
}
