/**
 * Whether the agent's memory and handles grew over the soak, from its process samples. A leak shows
 * as a level that keeps rising after warm-up, so the check compares a window just after warm-up with
 * the last window of the run, not the start with the end (the start includes JIT, pools and the
 * first policy builds). Pure.
 */
import { median } from '../report/stats.js';

/** One reading of the agent process. */
export interface ProcessSample {
  /** ms since the paced load started. */
  readonly atMs: number;
  /** VmRSS from /proc/<pid>/status. */
  readonly rssBytes: number;
  /** Entries in /proc/<pid>/fd. */
  readonly openFds: number;
  /** prom-client's `nodejs_active_handles_total`; undefined when the scrape failed or the agent has no such metric. */
  readonly activeHandles: number | undefined;
  /** V8 heap in use (`nodejs_heap_size_used_bytes`); undefined like activeHandles. */
  readonly heapUsedBytes: number | undefined;
  /** The agent's `checks_total`, all series summed; undefined like activeHandles. */
  readonly checksAnswered: number | undefined;
  /**
   * False while one h2load segment's connections are closing and the next one's opening: the same
   * load is briefly held by two sets of sockets, so handle counts from then are not comparable.
   */
  readonly steadyConnections: boolean;
}

export interface GrowthWindows {
  /** End of warm-up; the reference window starts here. ms since the paced load started. */
  readonly warmUpEndMs: number;
  readonly referenceEndMs: number;
  readonly finalStartMs: number;
  readonly endMs: number;
}

export interface GrowthWindowOptions {
  /** Share of the run that is warm-up. @default 0.2 (2 min of a 10-min soak) */
  readonly warmUpShare?: number;
  /** Share of the run each compared window spans. @default 0.1 (1 min of a 10-min soak) */
  readonly windowShare?: number;
}

export const DEFAULT_WARM_UP_SHARE = 0.2;
export const DEFAULT_WINDOW_SHARE = 0.1;

/**
 * The reference window (right after warm-up) and the final window (the end of the run), as shares of
 * the run so a half-minute development run is checked the same way as the 10-minute soak.
 *
 * @throws Error when the shares leave no room between the two windows.
 */
export function growthWindows(durationMs: number, options: GrowthWindowOptions = {}): GrowthWindows {
  const warmUpShare = options.warmUpShare ?? DEFAULT_WARM_UP_SHARE;
  const windowShare = options.windowShare ?? DEFAULT_WINDOW_SHARE;
  if (!(warmUpShare >= 0 && windowShare > 0 && warmUpShare + 2 * windowShare <= 1))
    throw new Error(
      `warm-up share ${warmUpShare} and window share ${windowShare}: need warm-up + 2 windows ≤ the run`,
    );
  const warmUpEndMs = durationMs * warmUpShare;
  const windowMs = durationMs * windowShare;
  return {
    warmUpEndMs,
    referenceEndMs: warmUpEndMs + windowMs,
    finalStartMs: durationMs - windowMs,
    endMs: durationMs,
  };
}

export type Verdict = 'PASS' | 'MISS' | 'SKIP';

export interface GrowthCheck {
  readonly name: string;
  readonly unit: 'bytes' | 'count';
  /** How each window is reduced to one value. */
  readonly statistic: 'median' | 'max';
  /** The reference window's value (just after warm-up); NaN without samples. */
  readonly atWarmUpEnd: number;
  /** The final window's value; NaN without samples. */
  readonly atEnd: number;
  /** (atEnd − atWarmUpEnd) ÷ atWarmUpEnd × 100. */
  readonly growthPercent: number;
  /** atEnd − atWarmUpEnd. */
  readonly growthAbsolute: number;
  /** The rule, for the table: `< 10 %` or `≤ +4`. */
  readonly limit: string;
  readonly verdict: Verdict;
  readonly samples: { readonly reference: number; readonly final: number };
  /** Why the verdict is not a plain comparison (no samples, metric not exposed). */
  readonly note?: string;
}

export interface GrowthLimits {
  /** RSS may grow by less than this, percent. @default 10 */
  readonly rssGrowthPercent?: number;
  /**
   * Handles in the final window may exceed the reference window's maximum by at most this many.
   * @default HANDLE_MARGIN
   */
  readonly handleMargin?: number;
}

export const RSS_GROWTH_LIMIT_PERCENT = 10;
/**
 * Slack for handles that come and go with the soak's own probes rather than with a leak: the
 * metrics scrape's keep-alive socket, the HTTP/2 session of a policy verification Check, and a
 * closing AgentSync write. A leak of one handle per connection, request or policy push exceeds it
 * within a minute (hundreds of connections and thousands of Checks, six pushes per minute).
 */
export const HANDLE_MARGIN = 4;

function inWindow(sample: ProcessSample, from: number, to: number): boolean {
  return sample.atMs >= from && sample.atMs <= to;
}

function growthOf(atWarmUpEnd: number, atEnd: number) {
  return {
    growthPercent: atWarmUpEnd > 0 ? ((atEnd - atWarmUpEnd) / atWarmUpEnd) * 100 : Number.NaN,
    growthAbsolute: atEnd - atWarmUpEnd,
  };
}

function maxOf(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.max(...values);
}

/** RSS: median of each window, growth under the limit. Medians, because GC makes single readings jump. */
export function rssGrowthCheck(
  samples: readonly ProcessSample[],
  windows: GrowthWindows,
  limitPercent: number = RSS_GROWTH_LIMIT_PERCENT,
): GrowthCheck {
  const reference = samples
    .filter((sample) => inWindow(sample, windows.warmUpEndMs, windows.referenceEndMs))
    .map((sample) => sample.rssBytes);
  const final = samples
    .filter((sample) => inWindow(sample, windows.finalStartMs, windows.endMs))
    .map((sample) => sample.rssBytes);
  const atWarmUpEnd = median(reference);
  const atEnd = median(final);
  const growth = growthOf(atWarmUpEnd, atEnd);
  const measured = reference.length > 0 && final.length > 0;
  return {
    name: 'RSS (VmRSS)',
    unit: 'bytes',
    statistic: 'median',
    atWarmUpEnd,
    atEnd,
    ...growth,
    limit: `< ${limitPercent} %`,
    verdict: measured && growth.growthPercent < limitPercent ? 'PASS' : 'MISS',
    samples: { reference: reference.length, final: final.length },
    ...(measured ? {} : { note: 'no samples in a window' }),
  };
}

/**
 * A handle count: the final window's maximum may exceed the reference window's maximum by at most
 * `margin`. Maxima, because a leak never lowers the peak while a transient only raises one sample.
 * Only samples with steady connections count. SKIP when the count was never read (the agent does
 * not expose the metric), MISS when it was read but a window has none.
 */
export function handleGrowthCheck(options: {
  readonly name: string;
  readonly samples: readonly ProcessSample[];
  readonly windows: GrowthWindows;
  readonly read: (sample: ProcessSample) => number | undefined;
  readonly margin?: number;
}): GrowthCheck {
  const margin = options.margin ?? HANDLE_MARGIN;
  const { windows } = options;
  const values = (from: number, to: number) =>
    options.samples
      .filter((sample) => sample.steadyConnections && inWindow(sample, from, to))
      .map(options.read)
      .filter((value): value is number => value !== undefined && Number.isFinite(value));
  const reference = values(windows.warmUpEndMs, windows.referenceEndMs);
  const final = values(windows.finalStartMs, windows.endMs);
  const atWarmUpEnd = maxOf(reference);
  const atEnd = maxOf(final);
  const everRead = options.samples.some((sample) => options.read(sample) !== undefined);
  const measured = reference.length > 0 && final.length > 0;
  const verdict: Verdict = !everRead ? 'SKIP' : measured && atEnd <= atWarmUpEnd + margin ? 'PASS' : 'MISS';
  const note = !everRead
    ? 'not exposed by the agent'
    : measured
      ? undefined
      : 'no steady samples in a window';
  return {
    name: options.name,
    unit: 'count',
    statistic: 'max',
    atWarmUpEnd,
    atEnd,
    ...growthOf(atWarmUpEnd, atEnd),
    limit: `≤ +${margin}`,
    verdict,
    samples: { reference: reference.length, final: final.length },
    ...(note === undefined ? {} : { note }),
  };
}

/** The three growth checks of the soak: RSS, open file descriptors, Node's active handles. */
export function growthChecks(
  samples: readonly ProcessSample[],
  windows: GrowthWindows,
  limits: GrowthLimits = {},
): GrowthCheck[] {
  return [
    rssGrowthCheck(samples, windows, limits.rssGrowthPercent ?? RSS_GROWTH_LIMIT_PERCENT),
    handleGrowthCheck({
      name: 'open fds (/proc/<pid>/fd)',
      samples,
      windows,
      read: (sample) => sample.openFds,
      margin: limits.handleMargin ?? HANDLE_MARGIN,
    }),
    handleGrowthCheck({
      name: 'active handles (nodejs_active_handles_total)',
      samples,
      windows,
      read: (sample) => sample.activeHandles,
      margin: limits.handleMargin ?? HANDLE_MARGIN,
    }),
  ];
}

/** One row of the time-series summary: the samples of one slice of the run. */
export interface SeriesSlice {
  readonly fromMs: number;
  readonly toMs: number;
  readonly samples: number;
  readonly rssMedianBytes: number;
  readonly heapUsedMedianBytes: number;
  readonly openFdsMax: number;
  readonly activeHandlesMax: number;
  /** Checks the agent answered per second over the slice (from its counter); NaN with fewer than 2 readings. */
  readonly checksPerSecond: number;
}

/** The run cut into `slices` equal slices (minutes of a 10-minute soak with the default 10). */
export function seriesSummary(
  samples: readonly ProcessSample[],
  durationMs: number,
  slices = 10,
): SeriesSlice[] {
  const width = durationMs / slices;
  return Array.from({ length: slices }, (_, index) => {
    const fromMs = index * width;
    const toMs = (index + 1) * width;
    const inSlice = samples.filter(
      (sample) =>
        sample.atMs >= fromMs && (sample.atMs < toMs || (index === slices - 1 && sample.atMs <= toMs)),
    );
    const defined = (read: (sample: ProcessSample) => number | undefined) =>
      inSlice.map(read).filter((value): value is number => value !== undefined && Number.isFinite(value));
    const counted = inSlice.filter((sample) => sample.checksAnswered !== undefined);
    const first = counted[0];
    const last = counted[counted.length - 1];
    const checksPerSecond =
      first !== undefined && last !== undefined && last.atMs > first.atMs
        ? (((last.checksAnswered ?? 0) - (first.checksAnswered ?? 0)) * 1000) / (last.atMs - first.atMs)
        : Number.NaN;
    return {
      fromMs,
      toMs,
      samples: inSlice.length,
      rssMedianBytes: median(defined((sample) => sample.rssBytes)),
      heapUsedMedianBytes: median(defined((sample) => sample.heapUsedBytes)),
      openFdsMax: maxOf(defined((sample) => (sample.steadyConnections ? sample.openFds : undefined))),
      activeHandlesMax: maxOf(
        defined((sample) => (sample.steadyConnections ? sample.activeHandles : undefined)),
      ),
      checksPerSecond,
    };
  });
}
