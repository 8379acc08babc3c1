/**
 * The access-log path: OTLP LogsService/Export batches, as the proxy sends them, replayed by h2load
 * against an agent running the bench policy (its flux meters take every record). Measures agent CPU
 * per record, and the Check p99 with and without logs flowing at the same rate as the Checks.
 */
import { compiledBenchPolicy, BENCH_CONTROL_POINT } from '../decision-path/bench-policy.js';
import { startCheckServer, type CheckServer } from '../decision-path/check-servers.js';
import {
  CHECK_PATH,
  decodeGrpcMessage,
  GRPC_REQUEST_HEADERS,
  LOGS_EXPORT_PATH,
} from '../decision-path/check-request-bytes.js';
import { grpcPreflight } from '../decision-path/grpc-preflight.js';
import {
  H2LOAD_INSTALL_HINT,
  h2loadHasRps,
  h2loadVersion,
  runH2load,
} from '../decision-path/h2load-runner.js';
import type { Figure, StageReport } from '../report/figures.js';
import { median, percentiles, ratio } from '../report/stats.js';
import { processCpuSeconds } from '../system/process-cpu.js';
import {
  accessLogContext,
  estimateRecordBytes,
  exportRequestFrame,
  logRecord,
  recordsPerBatch,
} from './otlp-batch.js';

const SECTION = 'access-log';
const CHECK_HEADERS = { ...GRPC_REQUEST_HEADERS, 'control-point': BENCH_CONTROL_POINT };
/** A sidecar's logger keeps one export in flight per flush; a few connections stand for a few sidecars. */
const LOG_CLIENTS = 4;

export interface AccessLogOptions {
  /** The Check body from the decision path (the same bytes h2load replays there). */
  readonly checkBody: Buffer;
  /** Checks/s for the latency runs; logs then flow at the same records/s. */
  readonly checkRatePerSecond: number;
  readonly seconds: number;
  readonly repeats: number;
  readonly log: (line: string) => void;
}

export interface AccessLogResult {
  readonly report: StageReport;
  /** Agent CPU seconds per access-log record (NaN if skipped). */
  readonly recordCpuSeconds: number;
}

/** The `aperture.check_response` value the agent answers `body` with: what its access-log records carry. */
export async function decisionRecordFrom(agent: CheckServer, body: Buffer): Promise<string> {
  const answer = await grpcPreflight({
    origin: `http://127.0.0.1:${agent.grpcPort}`,
    path: CHECK_PATH,
    body,
    headers: CHECK_HEADERS,
  });
  const response = decodeGrpcMessage('envoy.service.auth.v3.CheckResponse', answer.body) as {
    dynamic_metadata?: { fields?: Record<string, { stringValue?: string }> };
  };
  const record = response.dynamic_metadata?.fields?.['aperture.check_response']?.stringValue;
  if (record === undefined) throw new Error('the agent answered without aperture.check_response metadata');
  return record;
}

/** A size-triggered batch of records that carry `decisionRecord`. */
export function logBatchFor(decisionRecord: string) {
  const record = logRecord(accessLogContext(decisionRecord), Date.now());
  const perBatch = recordsPerBatch(estimateRecordBytes(record));
  return { record, perBatch, batch: exportRequestFrame(record, perBatch) };
}

export async function runAccessLog(options: AccessLogOptions): Promise<AccessLogResult> {
  const started = Date.now();
  const { log } = options;
  if (h2loadVersion() === undefined || !h2loadHasRps()) {
    const reason = h2loadVersion() === undefined ? H2LOAD_INSTALL_HINT : 'this h2load has no --rps';
    log(`access-log path skipped: ${reason}`);
    return {
      report: { stage: SECTION, figures: [], targets: [], skipped: [reason], details: {}, durationMs: 0 },
      recordCpuSeconds: Number.NaN,
    };
  }
  const agent = await startCheckServer({ kind: 'agent-pass-through', policy: compiledBenchPolicy() });
  try {
    const { record, perBatch, batch } = logBatchFor(await decisionRecordFrom(agent, options.checkBody));
    const exported = await grpcPreflight({
      origin: `http://127.0.0.1:${agent.grpcPort}`,
      path: LOGS_EXPORT_PATH,
      body: batch,
      headers: GRPC_REQUEST_HEADERS,
    });
    const partial = decodeGrpcMessage(
      'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
      exported.body,
    ) as {
      partial_success?: { rejected_log_records?: number; error_message?: string };
    };
    if (exported.grpcStatus !== 0 || (partial.partial_success?.rejected_log_records ?? 0) > 0)
      throw new Error(
        `the agent refused the bench batch: grpc-status ${exported.grpcStatus} ${exported.grpcMessage} ${JSON.stringify(partial)}`,
      );
    log(
      `access-log batch: ${perBatch} records, ${batch.length} bytes (${estimateRecordBytes(record)} bytes per record by the proxy's estimate)`,
    );

    const rate = options.checkRatePerSecond;
    const batchesPerSecond = rate / perBatch;
    const batches = Math.max(LOG_CLIENTS, Math.round(batchesPerSecond * options.seconds));
    const checks = Math.max(1_000, Math.round(rate * options.seconds));
    const logs = (count: number) =>
      runH2load({
        url: `http://127.0.0.1:${agent.grpcPort}${LOGS_EXPORT_PATH}`,
        body: batch,
        headers: GRPC_REQUEST_HEADERS,
        requests: count,
        clients: LOG_CLIENTS,
        streamsPerClient: 4,
        ratePerClient: batchesPerSecond / LOG_CLIENTS,
      });
    const checkRun = () =>
      runH2load({
        url: `http://127.0.0.1:${agent.grpcPort}${CHECK_PATH}`,
        body: options.checkBody,
        headers: CHECK_HEADERS,
        requests: checks,
        clients: 16,
        streamsPerClient: 32,
        ratePerClient: rate / 16,
        latencies: true,
      });
    const pid = agent.process.pid ?? 0;
    // Warm both paths (JIT, connection set-up) before measuring either.
    await runH2load({
      url: `http://127.0.0.1:${agent.grpcPort}${CHECK_PATH}`,
      body: options.checkBody,
      headers: CHECK_HEADERS,
      requests: 20_000,
      clients: 16,
      streamsPerClient: 32,
    });
    await logs(Math.max(LOG_CLIENTS, Math.round(batchesPerSecond * 2)));

    const cpuPerRecord: number[] = [];
    const p99Alone: number[] = [];
    const p99WithLogs: number[] = [];
    const p999Alone: number[] = [];
    const p999WithLogs: number[] = [];
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      // Logs alone: agent CPU per record at the rate they would flow beside the Checks.
      const cpu0 = processCpuSeconds(pid);
      const alone = await logs(batches);
      const cpu = processCpuSeconds(pid) - cpu0;
      cpuPerRecord.push(cpu / (alone.summary.succeeded * perBatch));
      // Checks alone, then Checks with logs at the same records/s, back to back.
      const checksOnly = await checkRun();
      const [, a99 = Number.NaN, a999 = Number.NaN] = percentiles(checksOnly.latenciesMs, [0.5, 0.99, 0.999]);
      const [withLogs] = await Promise.all([checkRun(), logs(batches)]);
      const [, w99 = Number.NaN, w999 = Number.NaN] = percentiles(withLogs.latenciesMs, [0.5, 0.99, 0.999]);
      p99Alone.push(a99);
      p99WithLogs.push(w99);
      p999Alone.push(a999);
      p999WithLogs.push(w999);
      log(
        `access log #${repeat + 1}: ${((cpu / (alone.summary.succeeded * perBatch)) * 1e6).toFixed(2)} µs CPU/record; ` +
          `Check p99 ${a99.toFixed(2)} ms alone, ${w99.toFixed(2)} ms with logs at ${Math.round(rate)} records/s`,
      );
    }
    const recordCpuSeconds = median(cpuPerRecord);
    const figures: Figure[] = [
      { section: SECTION, name: 'records per batch (16 KiB trigger)', value: perBatch, unit: '' },
      {
        section: SECTION,
        name: 'agent CPU per access-log record',
        value: recordCpuSeconds * 1e6,
        unit: 'µs',
      },
      {
        section: SECTION,
        name: 'records/s per agent core',
        value: 1 / recordCpuSeconds,
        unit: '/s',
      },
      {
        section: SECTION,
        name: `Check p99 at ${Math.round(rate)}/s, no logs`,
        value: median(p99Alone),
        unit: 'ms',
      },
      {
        section: SECTION,
        name: `Check p99 at ${Math.round(rate)}/s, logs at ${Math.round(rate)} records/s`,
        value: median(p99WithLogs),
        unit: 'ms',
      },
      {
        section: SECTION,
        name: 'Check p99 with logs ÷ without',
        value: ratio(median(p99WithLogs), median(p99Alone)),
        unit: '×',
      },
      {
        section: SECTION,
        name: `Check p99.9 at ${Math.round(rate)}/s, no logs`,
        value: median(p999Alone),
        unit: 'ms',
      },
      {
        section: SECTION,
        name: `Check p99.9 at ${Math.round(rate)}/s, logs at ${Math.round(rate)} records/s`,
        value: median(p999WithLogs),
        unit: 'ms',
      },
    ];
    return {
      report: {
        stage: SECTION,
        figures,
        targets: [],
        skipped: [],
        details: {
          perBatch,
          batchBytes: batch.length,
          rate,
          cpuPerRecord,
          p99Alone,
          p99WithLogs,
          p999Alone,
          p999WithLogs,
        },
        durationMs: Date.now() - started,
      },
      recordCpuSeconds,
    };
  } finally {
    await agent.stop();
  }
}
