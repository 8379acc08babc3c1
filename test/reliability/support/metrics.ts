/** Reading Prometheus text and process memory, for the reliability tests' assertions. */
import { readFileSync } from 'node:fs';

/**
 * The sum of every sample of `name` whose labels contain all of `labelFragments`
 * (e.g. `source="fallback"`); 0 when there is none. Histogram series are named in full
 * (`..._bucket`, `..._count`).
 */
export function metricSum(metrics: string, name: string, ...labelFragments: string[]): number {
  let sum = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (!labelFragments.every((fragment) => rest.includes(fragment))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Resident set size of a live process, bytes, from `/proc/<pid>/status` (VmRSS). */
export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+([0-9]+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}
