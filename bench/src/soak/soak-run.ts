/**
 * The soak: one `sluice-agent` with the bench policy, its peak decisions/s measured briefly, then
 * half of that offered for the whole run while the policy changes every 10 s and the process is
 * sampled every few seconds. Returns everything measured; the verdicts are computed by the caller
 * from growth.ts and soak-report.ts.
 */
import { BENCH_CONTROL_POINT } from '../decision-path/bench-policy.js';
import { agentMetrics, startCheckServer, type CheckServer } from '../decision-path/check-servers.js';
import { CHECK_PATH, checkRequestFrame, GRPC_REQUEST_HEADERS } from '../decision-path/check-request-bytes.js';
import { preflight } from '../decision-path/decision-path-bench.js';
import { runH2load } from '../decision-path/h2load-runner.js';
import { median } from '../report/stats.js';
import { churnVariants, type ChurnVariant } from './churn-variants.js';
import type { ProcessSample } from './growth.js';
import { PacedLoad, type SegmentResult } from './paced-load.js';
import { PolicyChurn, type ChurnTally } from './policy-churn.js';
import { agentCounters, countersDelta, ProcessSampler, type AgentCounters } from './process-sampler.js';
import type { CheckTally } from './soak-report.js';

export interface SoakRunOptions {
  /** Length of the paced run, ms. */
  readonly durationMs: number;
  readonly log: (line: string) => void;
}

export interface SoakRun {
  readonly variants: readonly {
    readonly name: string;
    readonly policyHash: string;
    readonly summary: string;
  }[];
  readonly preflight: string;
  /** Decisions/s of each measured saturating run (policy A, pass-through). */
  readonly peakRuns: readonly number[];
  readonly peakPerSecond: number;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly sampleIntervalMs: number;
  readonly churnIntervalMs: number;
  readonly segmentMs: number;
  readonly segments: readonly SegmentResult[];
  readonly checks: CheckTally;
  readonly churn: ChurnTally;
  /** The agent's counters over the paced run. */
  readonly agent: AgentCounters;
  readonly samples: readonly ProcessSample[];
  readonly scrapeFailures: number;
  readonly lastScrapeError: string | undefined;
}

/** The decision path's saturating load (16 × 32 streams), so the peak means the same as in the bench. */
const CLIENTS = 16;
const STREAMS = 32;
/** The cadence of policy changes. */
const CHURN_INTERVAL_MS = 10_000;
/** Long enough for h2load's start-up to be noise, short enough for hundreds of connection turnovers. */
const SEGMENT_MS = 30_000;
/** 120 samples per run, so each compared window (10% of it) holds 12, and never more than 5 s apart. */
const SAMPLES_PER_RUN = 120;
const MAX_SAMPLE_INTERVAL_MS = 5_000;
const MIN_SAMPLE_INTERVAL_MS = 500;
const PEAK_WARM_UP_REQUESTS = 20_000;
const PEAK_RUNS = 2;
const PEAK_RUN_SECONDS = 3;

/**
 * Saturating runs on the agent in variant A: one warm-up (JIT, connection pools) sizes the measured
 * runs; the peak is their median.
 */
async function measurePeak(
  url: string,
  body: Buffer,
  headers: Readonly<Record<string, string>>,
  log: (line: string) => void,
): Promise<{ readonly runs: number[]; readonly peak: number }> {
  const saturate = (requests: number) =>
    runH2load({ url, body, headers, requests, clients: CLIENTS, streamsPerClient: STREAMS });
  const warm = await saturate(PEAK_WARM_UP_REQUESTS);
  log(`peak warm-up: ${Math.round(warm.summary.requestsPerSecond)}/s`);
  const runs: number[] = [];
  for (let run = 0; run < PEAK_RUNS; run++) {
    const requests = Math.max(5_000, Math.round(warm.summary.requestsPerSecond * PEAK_RUN_SECONDS));
    const result = await saturate(requests);
    const unanswered = result.summary.total - result.summary.succeeded;
    if (unanswered > 0)
      throw new Error(`peak run ${run + 1}: ${unanswered} of ${result.summary.total} Checks unanswered`);
    runs.push(result.summary.requestsPerSecond);
    log(`peak #${run + 1}: ${Math.round(result.summary.requestsPerSecond)}/s`);
  }
  return { runs, peak: median(runs) };
}

function checkTally(segments: readonly SegmentResult[], ratePerSecond: number): CheckTally {
  let sent = 0;
  let answered = 0;
  let failed = 0;
  let seconds = 0;
  for (const { summary } of segments) {
    sent += summary.total;
    answered += summary.succeeded;
    failed += summary.failed + summary.errored + summary.timedOut;
    seconds += summary.elapsedSeconds;
  }
  return {
    sent,
    answered,
    failed,
    offeredPerSecond: ratePerSecond,
    achievedPerSecond: seconds > 0 ? answered / seconds : Number.NaN,
    segments: segments.length,
  };
}

function variantInfo(variant: ChurnVariant) {
  return { name: variant.name, policyHash: variant.policy.policyHash, summary: variant.summary };
}

/**
 * @throws Error when the agent does not start or answer as intended, h2load fails, or the agent dies
 *   during the run: a soak that could not finish.
 */
export async function runSoak(options: SoakRunOptions): Promise<SoakRun> {
  const { log, durationMs } = options;
  const variants = churnVariants();
  const [first] = variants;
  if (first === undefined) throw new Error('no soak policy variants');
  for (const variant of variants)
    log(`variant ${variant.name} (${variant.policy.policyHash}): ${variant.summary}`);
  const server: CheckServer = await startCheckServer({ kind: 'agent-pass-through', policy: first.policy });
  try {
    const { process: agentProcess, sync } = server;
    const pid = agentProcess.pid;
    if (pid === undefined || sync === undefined || server.httpPort === undefined)
      throw new Error('the agent started without a pid, metrics port or AgentSync stub');
    const body = checkRequestFrame({ userType: 'guest', userId: 'g-1' }, Date.now());
    const headers = { ...GRPC_REQUEST_HEADERS, 'control-point': BENCH_CONTROL_POINT };
    const origin = `http://127.0.0.1:${server.grpcPort}`;
    const url = `${origin}${CHECK_PATH}`;
    const checked = await preflight(server, body);
    log(`agent pid ${pid}; preflight: ${checked}`);

    const peak = await measurePeak(url, body, headers, log);
    const ratePerSecond = peak.peak / 2;
    const segmentMs = Math.min(SEGMENT_MS, durationMs / 4);
    const sampleIntervalMs = Math.min(
      MAX_SAMPLE_INTERVAL_MS,
      Math.max(MIN_SAMPLE_INTERVAL_MS, durationMs / SAMPLES_PER_RUN),
    );
    log(
      `soak: ${(durationMs / 60_000).toFixed(2)} min at ${Math.round(ratePerSecond)}/s (half the peak of ${Math.round(peak.peak)}/s), ` +
        `${CLIENTS} connections in ${(segmentMs / 1000).toFixed(1)} s segments; a policy push every ${CHURN_INTERVAL_MS / 1000} s; ` +
        `a sample every ${(sampleIntervalMs / 1000).toFixed(1)} s`,
    );

    const before = agentCounters(await agentMetrics(server));
    const load = new PacedLoad({
      url,
      body,
      headers,
      ratePerSecond,
      clients: CLIENTS,
      streamsPerClient: STREAMS,
      segmentMs,
      log,
    });
    const startedAt = performance.now();
    const sampler = new ProcessSampler({
      pid,
      metricsUrl: `http://127.0.0.1:${server.httpPort}/metrics`,
      intervalMs: sampleIntervalMs,
      startedAt,
      steadyConnections: () => load.steady(),
    });
    const churn = new PolicyChurn({
      stub: sync,
      variants,
      intervalMs: CHURN_INTERVAL_MS,
      origin,
      body,
      headers,
      startedAt,
      log,
    });
    sampler.start();
    churn.start();
    let segments: SegmentResult[] = [];
    let failure: unknown;
    try {
      segments = await load.run(startedAt, durationMs);
    } catch (error) {
      failure = error;
    }
    // Stopped on failure too, so no timer outlives the run; their results only matter on success.
    const churnTally = await churn.stop();
    const sampling = await sampler.stop();
    // A dead agent explains a failed h2load segment better than h2load's own output does.
    if (sampling.crash !== undefined) throw sampling.crash;
    if (failure !== undefined) throw failure;
    const after = agentCounters(await agentMetrics(server));
    return {
      variants: variants.map(variantInfo),
      preflight: checked,
      peakRuns: peak.runs,
      peakPerSecond: peak.peak,
      ratePerSecond,
      durationMs,
      sampleIntervalMs,
      churnIntervalMs: CHURN_INTERVAL_MS,
      segmentMs,
      segments,
      checks: checkTally(segments, ratePerSecond),
      churn: churnTally,
      agent: countersDelta(before, after),
      samples: sampling.samples,
      scrapeFailures: sampling.scrapeFailures,
      lastScrapeError: sampling.lastScrapeError,
    };
  } finally {
    await server.stop();
  }
}
