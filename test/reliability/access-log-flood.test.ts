// Access logs flood an agent at 10× the rate of its Checks (one record per Check is the normal rate,
// as a sidecar sends). The agent processes logs up to its records-per-second budget and drops and
// counts the rest, its memory stays bounded and flat, and its Check latency holds.
//
// Check latency on a shared, busy machine swings with everything else running, so the comparison is
// made at the same moments: a second, identical agent (same controller, policy and budget) gets the
// same Checks at the same instants and access logs at the normal rate throughout. The flooded
// agent's p99 is compared with it, and with its own p99 before and after the flood.
//
// Every record repeats one real decision record, so after its first use the agent refuses it as a
// replay (decision record v2): that is read as far as a metered record is (MAC, body, age, nonce),
// all but the metering, and counted in access_log_records_total like any other.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  APERTURE_ACCESS_LOG_ATTRIBUTES,
  formatAccessLogValue,
  parseFormatString,
  type AccessLogContext,
} from '@sluice/proxy';
import { summarizeLatencies, type LatencySummary } from '@sluice/demo';
import { freePort, RunningProcess, waitFor } from '@sluice/testkit';
import { averageLatencyPolicy, bin, CONTROL_POINT, metricValue, Topology } from '@sluice/e2e-kit';
import { AgentGrpcClient, encodeCheckRequest, encodeExportRequest } from './support/agent-grpc.js';
import { metricSum, residentBytes } from './support/metrics.js';
import { openLoop } from './support/open-loop.js';

const CHECK_RATE = 200;
const FLOOD_FACTOR = 10;
/** Records per Export: about the 16 KiB batch a busy sidecar flushes. */
const RECORDS_PER_BATCH = 20;
/** The agents' access-log budget in this run: 5× the normal rate, so the flood's excess is dropped. */
const BUDGET_PER_SECOND = 5 * CHECK_RATE;
const CALM_MS = 5_000;
/** Long enough that one stall of the shared machine does not set the flood's p99 alone (4000 Checks). */
const FLOOD_MS = 20_000;
const CHECK_DEADLINE_MS = 250;
const AGENT_ENV = { SLUICE_AGENT_ACCESS_LOG_MAX_RECORDS_PER_SECOND: String(BUDGET_PER_SECOND) };

/** One agent as the test drives it: Checks and Exports on connections of their own, its metrics and RSS. */
class DrivenAgent {
  readonly checks: AgentGrpcClient;
  readonly logs: AgentGrpcClient;
  readonly checkRequest = encodeCheckRequest({ path: '/request', headers: { 'user-type': 'subscriber' } });
  batch: Buffer = Buffer.alloc(0);

  constructor(
    readonly name: string,
    readonly process: RunningProcess,
    grpcPort: number,
    readonly httpPort: number,
  ) {
    this.checks = new AgentGrpcClient(`127.0.0.1:${grpcPort}`, CONTROL_POINT);
    this.logs = new AgentGrpcClient(`127.0.0.1:${grpcPort}`, CONTROL_POINT);
  }

  async metrics(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.httpPort}/metrics`, {
      signal: AbortSignal.timeout(5_000),
    });
    return response.text();
  }

  /** Access-log records processed and dropped so far. */
  /**
   * Access-log records processed and dropped so far, GC pauses over 100 ms so far, and the longest
   * event-loop stall since the previous read (the agent's lag histogram restarts at every scrape).
   */
  async counts(): Promise<{
    atMs: number;
    records: number;
    dropped: number;
    longGcs: number;
    lagMaxMs: number;
  }> {
    const metrics = await this.metrics();
    const gcs = metricSum(metrics, 'sluice_agent_nodejs_gc_duration_seconds_count');
    return {
      atMs: performance.now(),
      records: metricSum(metrics, 'sluice_agent_access_log_records_total'),
      dropped: metricSum(metrics, 'sluice_agent_access_log_records_dropped_total'),
      longGcs: gcs - metricSum(metrics, 'sluice_agent_nodejs_gc_duration_seconds_bucket', 'le="0.1"'),
      lagMaxMs: metricSum(metrics, 'sluice_agent_nodejs_eventloop_lag_max_seconds') * 1000,
    };
  }

  /** Takes one decision from the agent and builds the Export batch of this agent's records. */
  async prepare(): Promise<void> {
    const { decisionRecord } = await this.checks.check(this.checkRequest, 5_000);
    assert.ok(decisionRecord, `${this.name}: the Check carried no decision record`);
    this.batch = exportBatch(decisionRecord);
  }

  /** Client-side ms of one Check, undefined when it failed (deadline or error). */
  async timedCheck(): Promise<number | undefined> {
    const sentAt = performance.now();
    try {
      await this.checks.check(this.checkRequest, CHECK_DEADLINE_MS);
      return performance.now() - sentAt;
    } catch {
      return undefined;
    }
  }

  close(): void {
    this.checks.close();
    this.logs.close();
  }
}

let topology: Topology;
let reference: RunningProcess | undefined;
const agents: DrivenAgent[] = [];

before(async () => {
  topology = await Topology.start({
    policies: { flood: averageLatencyPolicy('flood') },
    upstream: { concurrency: 10, latencyMs: 10 },
    agentEnv: AGENT_ENV,
  });
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  reference = await RunningProcess.start({
    name: 'reference-agent',
    args: [
      bin('agent'),
      '--grpc-port',
      String(grpcPort),
      '--http-port',
      String(httpPort),
      '--controller',
      `127.0.0.1:${topology.ports.controllerGrpc}`,
      '--report-interval-ms',
      '250',
    ],
    env: AGENT_ENV,
    readyLine: /"listening"/,
  });
  agents.push(
    new DrivenAgent('flooded', topology.agent, topology.ports.agentGrpc, topology.ports.agentHttp),
    new DrivenAgent('reference', reference, grpcPort, httpPort),
  );
  for (const agent of agents) {
    await waitFor(async () => metricValue(await agent.metrics(), 'sluice_agent_policies') === 1, {
      timeoutMs: 15_000,
      what: `the ${agent.name} agent holding the policy`,
    });
    await agent.prepare();
  }
});

after(async () => {
  for (const agent of agents) agent.close();
  await reference?.stop();
  await topology?.stop();
});

/** One Export of `RECORDS_PER_BATCH` records of a 200 answered in 12 ms after a 1 ms Check, as the proxy logs them. */
function exportBatch(decisionRecord: string): Buffer {
  const context: AccessLogContext = {
    requestHeaders: {
      ':method': 'GET',
      ':path': '/request',
      ':authority': '127.0.0.1',
      'user-type': 'subscriber',
    },
    responseHeaders: { 'content-type': 'text/plain' },
    responseCode: 200,
    bytesReceived: 0,
    bytesSent: 2,
    durationMs: 13,
    requestDurationMs: 0,
    requestTxDurationMs: 2,
    responseDurationMs: 12,
    responseTxDurationMs: 1,
    protocol: 'HTTP/1.1',
    dynamicMetadata: new Map([
      ['envoy.filters.http.ext_authz', { 'aperture.check_response': decisionRecord, ext_authz_duration: 1 }],
    ]),
    upstreamHost: '127.0.0.1:8099',
    downstreamRemoteAddress: '127.0.0.1:51234',
    downstreamLocalAddress: '127.0.0.1:10000',
  };
  const attributes = Object.entries(APERTURE_ACCESS_LOG_ATTRIBUTES).map(([key, format]) => ({
    key,
    value: { string_value: formatAccessLogValue(parseFormatString(format), context) },
  }));
  const record = { time_unix_nano: Date.now() * 1e6, body: { string_value: 'GET' }, attributes };
  return encodeExportRequest({
    resource_logs: [
      {
        resource: { attributes: [{ key: 'log_name', value: { string_value: 'ingress' } }] },
        scope_logs: [{ log_records: Array.from({ length: RECORDS_PER_BATCH }, () => record) }],
      },
    ],
  });
}

interface AgentPhase {
  /** Client-side ms of every answered Check. */
  readonly checkLatencies: readonly number[];
  readonly checkFailures: number;
  readonly recordsSent: number;
  readonly exportsFailed: number;
  readonly records: number;
  readonly dropped: number;
  /** Between the two metric reads that bound `records` and `dropped`. */
  readonly elapsedMs: number;
  /** GC pauses over 100 ms, and the longest event-loop stall, in the agent. */
  readonly longGcs: number;
  readonly lagMaxMs: number;
}

/**
 * Checks at CHECK_RATE to both agents at the same instants for `durationMs`; access logs to the
 * flooded agent at `floodedRecordsPerSecond` and to the reference at the normal rate. The flooded
 * agent's RSS is sampled every 250 ms.
 */
async function runPhase(
  durationMs: number,
  floodedRecordsPerSecond: number,
): Promise<{ flooded: AgentPhase; reference: AgentPhase; rssBytes: number[] }> {
  const [flooded, unflooded] = agents;
  assert.ok(flooded && unflooded);
  const pid = flooded.process.pid;
  assert.ok(pid !== undefined);
  const rssBytes: number[] = [];
  const sampler = setInterval(() => rssBytes.push(residentBytes(pid)), 250);
  try {
    const before = await Promise.all([flooded.counts(), unflooded.counts()]);
    const exportsAt = (agent: DrivenAgent, recordsPerSecond: number) =>
      openLoop({ ratePerSecond: recordsPerSecond / RECORDS_PER_BATCH, durationMs }, () =>
        agent.logs.export(agent.batch, 5_000),
      );
    const [pairs, floodedExports, referenceExports] = await Promise.all([
      openLoop({ ratePerSecond: CHECK_RATE, durationMs }, () =>
        Promise.all([flooded.timedCheck(), unflooded.timedCheck()]),
      ),
      exportsAt(flooded, floodedRecordsPerSecond),
      exportsAt(unflooded, CHECK_RATE),
    ]);
    const after = await Promise.all([flooded.counts(), unflooded.counts()]);
    const phase = (index: 0 | 1, exports: readonly boolean[]): AgentPhase => {
      const latencies = pairs.map((pair) => pair[index]);
      const answered = latencies.filter((latency): latency is number => latency !== undefined);
      const [from, to] = [before[index], after[index]];
      return {
        checkLatencies: answered,
        checkFailures: latencies.length - answered.length,
        recordsSent: exports.length * RECORDS_PER_BATCH,
        exportsFailed: exports.filter((ok) => !ok).length,
        records: to.records - from.records,
        dropped: to.dropped - from.dropped,
        elapsedMs: to.atMs - from.atMs,
        longGcs: to.longGcs - from.longGcs,
        lagMaxMs: to.lagMaxMs,
      };
    };
    return { flooded: phase(0, floodedExports), reference: phase(1, referenceExports), rssBytes };
  } finally {
    clearInterval(sampler);
  }
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const max = (values: readonly number[]) => Math.max(...values);
const latencyText = (summary: LatencySummary) =>
  `p50/p99 ${summary.p50Ms.toFixed(2)}/${summary.p99Ms.toFixed(2)} ms`;

test('access logs at 10× the Check rate: excess dropped and counted, memory flat, Check p99 within 2×', async (t) => {
  // Warm-up (JIT, connections), not measured.
  await runPhase(2_000, CHECK_RATE);
  const calmBefore = await runPhase(CALM_MS, CHECK_RATE);
  const flood = await runPhase(FLOOD_MS, FLOOD_FACTOR * CHECK_RATE);
  const calmAfter = await runPhase(CALM_MS, CHECK_RATE);

  // A Check that missed its deadline counts as the deadline: it is in the tail, not left out.
  const latencies = (...phases: AgentPhase[]) =>
    summarizeLatencies(
      phases.flatMap((phase) => [
        ...phase.checkLatencies,
        ...Array<number>(phase.checkFailures).fill(CHECK_DEADLINE_MS),
      ]),
    );
  const floodedCalm = latencies(calmBefore.flooded, calmAfter.flooded);
  const floodedFlood = latencies(flood.flooded);
  const referenceCalm = latencies(calmBefore.reference, calmAfter.reference);
  const referenceFlood = latencies(flood.reference);
  const preFloodRss = max(calmBefore.rssBytes);
  const third = Math.floor(flood.rssBytes.length / 3);
  const middleRss = max(flood.rssBytes.slice(third, 2 * third));
  const lastRss = max(flood.rssBytes.slice(2 * third));
  const { flooded } = flood;
  t.diagnostic(
    `flood: ${flooded.recordsSent} records sent in ${FLOOD_MS / 1000} s, ${flooded.records} processed, ${flooded.dropped} dropped (budget ${BUDGET_PER_SECOND}/s); ` +
      `calm before/after: ${calmBefore.flooded.records}/${calmAfter.flooded.records} processed, ${calmBefore.flooded.dropped}/${calmAfter.flooded.dropped} dropped`,
  );
  t.diagnostic(
    `Check latency, flooded agent: calm ${latencyText(floodedCalm)}, flood ${latencyText(floodedFlood)}; ` +
      `reference agent at the same instants: calm ${latencyText(referenceCalm)}, flood ${latencyText(referenceFlood)} (${floodedFlood.count} Checks each in the flood)`,
  );
  t.diagnostic(
    `flooded agent RSS: ${mib(preFloodRss)} MiB before, max ${mib(max(flood.rssBytes))} MiB in the flood (middle third ${mib(middleRss)}, last third ${mib(lastRss)}), ${mib(max(calmAfter.rssBytes))} MiB after`,
  );

  const stalls = (name: string, phase: AgentPhase) =>
    `${name} ${phase.checkFailures} late, longest stall ${phase.lagMaxMs.toFixed(0)} ms, ${phase.longGcs} GC pauses > 100 ms`;
  t.diagnostic(
    [calmBefore, flood, calmAfter]
      .map(
        (phase, index) =>
          `${['calm before', 'flood', 'calm after'][index]}: ${stalls('flooded', phase.flooded)}; ${stalls('reference', phase.reference)}`,
      )
      .join(' | '),
  );

  // Every Export accepted (some records partially). Late Checks are in the p99 below.
  for (const phase of [calmBefore, flood, calmAfter]) {
    for (const agent of [phase.flooded, phase.reference]) assert.equal(agent.exportsFailed, 0);
  }
  // The normal rate is never dropped: before the flood, and at the reference throughout.
  assert.equal(calmBefore.flooded.dropped, 0);
  assert.equal(calmBefore.flooded.records, calmBefore.flooded.recordsSent);
  for (const phase of [calmBefore, flood, calmAfter]) assert.equal(phase.reference.dropped, 0);
  // Right after the flood the budget is empty and refills at 5× the normal rate: at most the first
  // batch finds too few records' worth in it.
  assert.ok(
    calmAfter.flooded.dropped <= RECORDS_PER_BATCH,
    `${calmAfter.flooded.dropped} dropped after the flood`,
  );
  assert.equal(calmAfter.flooded.records + calmAfter.flooded.dropped, calmAfter.flooded.recordsSent);
  // Flood: every record processed or dropped and counted; processed within the budget (over the
  // time between the two metric reads, plus the one second of burst the budget holds).
  assert.equal(flooded.records + flooded.dropped, flooded.recordsSent);
  const allowed = BUDGET_PER_SECOND * (flooded.elapsedMs / 1000 + 1);
  assert.ok(flooded.records <= allowed, `${flooded.records} records processed, budget allows ${allowed}`);
  assert.ok(flooded.dropped >= flooded.recordsSent - allowed, `${flooded.dropped} dropped`);
  // Memory bounded: under 2× the RSS before the flood, and flat over its last third.
  assert.ok(
    max(flood.rssBytes) < 2 * preFloodRss,
    `RSS ${mib(max(flood.rssBytes))} MiB vs ${mib(preFloodRss)} MiB`,
  );
  assert.ok(lastRss <= middleRss * 1.1, `RSS still growing: ${mib(middleRss)} → ${mib(lastRss)} MiB`);
  // Checks unharmed: the flooded agent's p99 within 2× the unflooded agent's at the same instants.
  assert.ok(
    floodedFlood.p99Ms <= 2 * referenceFlood.p99Ms,
    `Check p99 ${floodedFlood.p99Ms.toFixed(2)} ms flooded vs ${referenceFlood.p99Ms.toFixed(2)} ms unflooded`,
  );
});
