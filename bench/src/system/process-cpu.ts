/**
 * CPU time of another process from `/proc/<pid>/stat`: user + system time, in seconds. Reading it
 * before and after a load run gives the server's CPU for exactly the decisions of that run, whatever
 * else the shared machine does (other processes' CPU is not counted, unlike wall-clock throughput).
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/**
 * utime + stime in clock ticks from the text of `/proc/<pid>/stat`. The command name (field 2) is in
 * parentheses and may contain spaces, so fields are counted from the last `)`.
 *
 * @throws Error when the text is not a stat line.
 */
export function parseProcStatTicks(text: string): number {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  // After ")": field 3 (state) is index 0, so utime (field 14) is index 11 and stime (15) index 12.
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`no utime/stime in /proc/<pid>/stat: ${text.slice(0, 80)}`);
  return utime + stime;
}

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`, almost always 100 on Linux (10 ms resolution: runs of seconds keep it under 1%). */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds the process has used so far (its threads included: libuv's pool, V8's GC helpers). */
export function processCpuSeconds(pid: number): number {
  return parseProcStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicksPerSecond();
}
