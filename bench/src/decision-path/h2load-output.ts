/**
 * Reading h2load's results: the summary it prints and the per-request `--log-file`. h2load prints
 * latency only as min/max/mean/sd, so percentiles come from the log file. Pure.
 */

export interface H2loadSummary {
  /** Wall time h2load reports for the whole run, seconds. */
  readonly elapsedSeconds: number;
  /** Requests completed per second over that time (h2load's own figure). */
  readonly requestsPerSecond: number;
  readonly total: number;
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly errored: number;
  readonly timedOut: number;
}

/** Seconds from an h2load duration such as `2.06s`, `512.19ms` or `92us`. */
export function h2loadDurationSeconds(text: string): number {
  const match = /^([\d.]+)(s|ms|us)$/.exec(text.trim());
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 's' ? value : match[2] === 'ms' ? value / 1e3 : value / 1e6;
}

/** @throws Error quoting the output when the summary lines are missing (h2load failed to run). */
export function parseH2loadSummary(stdout: string): H2loadSummary {
  const finished = /finished in ([\d.]+(?:s|ms|us)), ([\d.]+) req\/s/.exec(stdout);
  const requests =
    /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
      stdout,
    );
  if (!finished || !requests) throw new Error(`no h2load summary in its output:\n${stdout.slice(-2000)}`);
  const count = (index: number) => Number(requests[index]);
  return {
    elapsedSeconds: h2loadDurationSeconds(finished[1] ?? ''),
    requestsPerSecond: Number(finished[2]),
    total: count(1),
    done: count(3),
    succeeded: count(4),
    failed: count(5),
    errored: count(6),
    timedOut: count(7),
  };
}

/**
 * Latencies in ms of the successful (2xx) requests in an h2load `--log-file`: one line per request,
 * tab-separated start time (µs), HTTP status and duration (µs). gRPC answers every call 200, so a
 * non-2xx line means the HTTP/2 layer failed.
 */
export function parseH2loadLog(text: string): number[] {
  const latencies: number[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [, status, duration] = line.split('\t');
    const code = Number(status);
    if (code >= 200 && code < 300) latencies.push(Number(duration) / 1000);
  }
  return latencies;
}
