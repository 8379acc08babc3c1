/**
 * The decision path: h2load replays one pre-encoded CheckRequest against the bare grpc-js server and
 * the agent in three states, measuring server CPU per decision, peak decisions/s, and latency at 50%
 * of the bare server's peak. Repeats are interleaved across servers so a change in the machine's
 * background load hits every server alike.
 */
import type { StageReport } from '../report/figures.js';
import { percentiles, ratio } from '../report/stats.js';
import { processCpuSeconds } from '../system/process-cpu.js';
import { BENCH_CONTROL_POINT, compiledBenchPolicy } from './bench-policy.js';
import {
  agentDecisionCounts,
  SERVER_LABELS,
  startCheckServer,
  type CheckServer,
  type ServerKind,
} from './check-servers.js';
import {
  CHECK_PATH,
  checkRequestFrame,
  decodeGrpcMessage,
  GRPC_REQUEST_HEADERS,
} from './check-request-bytes.js';
import {
  decisionFigures,
  decisionTargets,
  SECTION,
  summarise,
  type PeakRepeat,
  type RateRepeat,
  type ServerRepeats,
} from './decision-figures.js';
import { decisionRecordJson } from './decision-record-view.js';
import { grpcPreflight } from './grpc-preflight.js';
import {
  H2LOAD_INSTALL_HINT,
  h2loadHasRps,
  h2loadVersion,
  runH2load,
  type H2loadRunOptions,
} from './h2load-runner.js';

export interface DecisionPathOptions {
  /** Repeats per server and figure; figures are their medians. */
  readonly repeats: number;
  /** Length of a saturating run, s (its request count comes from the warm-up's rate). */
  readonly peakSeconds: number;
  /** Length of a paced run, s. */
  readonly rateSeconds: number;
  /**
   * Load before every LM 0.5 run, s. The scheduler admits everything until its 5 s token-rate window
   * has filled, and a silence longer than the window restarts that, which the other servers' runs are.
   */
  readonly lmWarmUpSeconds: number;
  readonly log: (line: string) => void;
}

export interface DecisionPathResult {
  readonly report: StageReport;
  /** CPU seconds per Check of the agent with the policy in pass-through, at peak (NaN if skipped). */
  readonly checkCpuSeconds: number;
  /** Median peak decisions/s of the bare server (NaN if skipped). */
  readonly barePeakPerSecond: number;
  /** The encoded request, for the profile and access-log stages. */
  readonly body: Buffer | undefined;
}

const KINDS: readonly ServerKind[] = ['bare', 'agent-no-policy', 'agent-pass-through', 'agent-lm-0.5'];
/** Saturating load, the brief's suggestion: 16 connections × 32 streams, enough to keep one core busy. */
const PEAK_CLIENTS = 16;
const PEAK_STREAMS = 32;
/**
 * Streams per connection in the paced runs of the LM 0.5 agent. It holds a flow in its queue up to
 * 175 ms, so at 10,000/s about 1,750 Checks are in flight: 16 × 32 streams would cap it near
 * 512 ÷ 0.175 s ≈ 2,900/s and compare its CPU at a quarter of the bare server's rate. The servers
 * that answer at once keep the peak runs' 16 × 32, under which their latencies were always taken.
 */
const QUEUEING_PACED_STREAMS = 256;
const HEADERS = { ...GRPC_REQUEST_HEADERS, 'control-point': BENCH_CONTROL_POINT };

/** Starts the four servers one after another (starting them at once would skew nothing, but fights over 2 cores). */
export async function startAllServers(): Promise<CheckServer[]> {
  const policy = compiledBenchPolicy();
  const servers: CheckServer[] = [];
  try {
    for (const kind of KINDS) servers.push(await startCheckServer({ kind, policy }));
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
  return servers;
}

/**
 * Proves each server answers the replayed bytes as intended: gRPC OK, a CheckResponse, and for the
 * policy states a decision record naming the policy's rate limiter and scheduler.
 *
 * @throws Error describing the wrong answer.
 */
export async function preflight(server: CheckServer, body: Buffer): Promise<string> {
  const answer = await grpcPreflight({
    origin: `http://127.0.0.1:${server.grpcPort}`,
    path: CHECK_PATH,
    body,
    headers: HEADERS,
  });
  if (answer.grpcStatus !== 0)
    throw new Error(
      `${server.kind}: grpc-status ${answer.grpcStatus} ${answer.grpcMessage} for the bench CheckRequest`,
    );
  const response = decodeGrpcMessage('envoy.service.auth.v3.CheckResponse', answer.body) as {
    status?: { code?: number };
    dynamic_metadata?: { fields?: Record<string, { stringValue?: string }> };
  };
  if (server.kind === 'bare') return 'OK';
  const encoded = response.dynamic_metadata?.fields?.['aperture.check_response']?.stringValue ?? '';
  const record = decisionRecordJson(encoded) as {
    decision: string;
    components: { kind: string; reason: string }[];
  };
  const kinds = record.components.map((component) => component.kind).sort();
  const expected = server.kind === 'agent-no-policy' ? [] : ['load-scheduler', 'rate-limiter'];
  if (JSON.stringify(kinds) !== JSON.stringify(expected))
    throw new Error(
      `${server.kind}: the Check ran components [${kinds.join(', ')}], expected [${expected.join(', ')}]`,
    );
  return `${record.decision} (${record.components.map((c) => `${c.kind}: ${c.reason}`).join(', ') || 'no components'})`;
}

async function measured<T>(server: CheckServer, run: () => Promise<T>) {
  const pid = server.process.pid;
  if (pid === undefined) throw new Error(`${server.kind} has no pid`);
  const counts = await agentDecisionCounts(server);
  const cpuBefore = processCpuSeconds(pid);
  const result = await run();
  const cpuSeconds = processCpuSeconds(pid) - cpuBefore;
  const after = await agentDecisionCounts(server);
  const accepted = after.accepted - counts.accepted;
  const rejected = after.rejected - counts.rejected;
  return { result, cpuSeconds, acceptedShare: ratio(accepted, accepted + rejected) };
}

export async function runDecisionPath(options: DecisionPathOptions): Promise<DecisionPathResult> {
  const started = Date.now();
  const { log } = options;
  const version = h2loadVersion();
  if (version === undefined) {
    log(`decision path skipped: ${H2LOAD_INSTALL_HINT}`);
    return {
      report: {
        stage: SECTION,
        figures: [],
        targets: [],
        skipped: [H2LOAD_INSTALL_HINT],
        details: {},
        durationMs: 0,
      },
      checkCpuSeconds: Number.NaN,
      barePeakPerSecond: Number.NaN,
      body: undefined,
    };
  }
  const paced = h2loadHasRps();
  const skipped: string[] = [];
  if (!paced) skipped.push('this h2load has no --rps: latency runs use 16 connections × 1 stream, unpaced');
  const body = checkRequestFrame({ userType: 'guest', userId: 'g-1' }, Date.now());
  log(`${version}; CheckRequest ${body.length} bytes framed; starting the bare server and three agents`);
  const servers = await startAllServers();
  try {
    const preflights: Record<string, string> = {};
    for (const server of servers) preflights[server.kind] = await preflight(server, body);
    log(
      `preflight: ${Object.entries(preflights)
        .map(([kind, text]) => `${kind} ${text}`)
        .join('; ')}`,
    );

    const base = (server: CheckServer): Pick<H2loadRunOptions, 'url' | 'body' | 'headers'> => ({
      url: `http://127.0.0.1:${server.grpcPort}${CHECK_PATH}`,
      body,
      headers: HEADERS,
    });
    const saturate = (server: CheckServer, requests: number) =>
      runH2load({ ...base(server), requests, clients: PEAK_CLIENTS, streamsPerClient: PEAK_STREAMS });
    const pace = (server: CheckServer, ratePerSecond: number, requests: number, latencies: boolean) =>
      runH2load({
        ...base(server),
        requests,
        clients: PEAK_CLIENTS,
        ...(paced
          ? {
              streamsPerClient: server.kind === 'agent-lm-0.5' ? QUEUEING_PACED_STREAMS : PEAK_STREAMS,
              ratePerClient: ratePerSecond / PEAK_CLIENTS,
            }
          : { streamsPerClient: 1 }),
        latencies,
      });

    // Warm-up: JIT and connection pools, and a rough rate to size each server's runs.
    const estimate = new Map<ServerKind, number>();
    for (const server of servers) {
      const warm = await saturate(server, options.peakSeconds < 2 ? 5_000 : 20_000);
      estimate.set(server.kind, warm.summary.requestsPerSecond);
      log(`warm-up ${SERVER_LABELS[server.kind]}: ${Math.round(warm.summary.requestsPerSecond)}/s`);
    }

    const repeats = new Map<ServerKind, { peak: PeakRepeat[]; rate: RateRepeat[] }>(
      KINDS.map((kind) => [kind, { peak: [], rate: [] }]),
    );
    const peakArgs: Record<string, readonly string[]> = {};
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      for (const server of servers) {
        const perSecond = estimate.get(server.kind) ?? 1_000;
        const requests = Math.max(5_000, Math.round(perSecond * options.peakSeconds));
        if (server.kind === 'agent-lm-0.5')
          await saturate(server, Math.max(5_000, Math.round(perSecond * options.lmWarmUpSeconds)));
        const { result, cpuSeconds } = await measured(server, () => saturate(server, requests));
        peakArgs[server.kind] = result.args;
        const decisions = result.summary.succeeded;
        repeats.get(server.kind)?.peak.push({
          decisionsPerSecond: result.summary.requestsPerSecond,
          cpuSecondsPerDecision: cpuSeconds / decisions,
        });
        log(
          `peak #${repeat + 1} ${SERVER_LABELS[server.kind]}: ${Math.round(result.summary.requestsPerSecond)}/s, ` +
            `${((cpuSeconds / decisions) * 1e6).toFixed(1)} µs CPU/decision (${decisions} decisions, ${result.summary.failed + result.summary.errored} failed)`,
        );
      }
    }
    const barePeak = summarise({
      kind: 'bare',
      ...(repeats.get('bare') ?? { peak: [], rate: [] }),
    }).peakPerSecond;
    const rate = barePeak / 2;
    const rateRequests = Math.max(2_000, Math.round(rate * options.rateSeconds));
    log(`paced runs at 50% of the bare peak: ${Math.round(rate)}/s, ${rateRequests} requests each`);
    const rateArgs: Record<string, readonly string[]> = {};
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      for (const server of servers) {
        if (server.kind === 'agent-lm-0.5')
          await pace(server, rate, Math.max(2_000, Math.round(rate * options.lmWarmUpSeconds)), false);
        const { result, cpuSeconds, acceptedShare } = await measured(server, () =>
          pace(server, rate, rateRequests, true),
        );
        rateArgs[server.kind] = result.args;
        const [p50 = Number.NaN, p99 = Number.NaN, p999 = Number.NaN] = percentiles(
          result.latenciesMs,
          [0.5, 0.99, 0.999],
        );
        repeats.get(server.kind)?.rate.push({
          achievedPerSecond: result.summary.requestsPerSecond,
          cpuSecondsPerDecision: cpuSeconds / result.summary.succeeded,
          p50Ms: p50,
          p99Ms: p99,
          p999Ms: p999,
          acceptedShare,
        });
        log(
          `rate #${repeat + 1} ${SERVER_LABELS[server.kind]}: ${Math.round(result.summary.requestsPerSecond)}/s achieved, ` +
            `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, p99.9 ${p999.toFixed(2)} ms, ${((cpuSeconds / result.summary.succeeded) * 1e6).toFixed(1)} µs CPU/decision` +
            (Number.isFinite(acceptedShare) ? `, ${(acceptedShare * 100).toFixed(1)}% accepted` : ''),
        );
      }
    }
    const all: ServerRepeats[] = KINDS.map((kind) => ({
      kind,
      ...(repeats.get(kind) ?? { peak: [], rate: [] }),
    }));
    const summaries = all.map(summarise);
    const passThrough = summaries.find((summary) => summary.kind === 'agent-pass-through');
    return {
      report: {
        stage: SECTION,
        figures: decisionFigures(summaries, rate),
        targets: decisionTargets(summaries, rate),
        skipped,
        details: {
          h2load: version,
          requestBytes: body.length,
          ratePerSecond: rate,
          preflights,
          peakArgs,
          rateArgs,
          repeats: all,
          summaries,
        },
        durationMs: Date.now() - started,
      },
      checkCpuSeconds: (passThrough?.cpuMicrosPerDecisionAtPeak ?? Number.NaN) / 1e6,
      barePeakPerSecond: barePeak,
      body,
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
