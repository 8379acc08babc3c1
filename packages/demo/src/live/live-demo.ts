/**
 * `npm start`: the whole Sluice loop on this machine, no Kubernetes. It starts the controller (file
 * policies: the embedded guests/subscribers average-latency policy with short timings), an agent, a
 * proxy and the demo upstream, runs an overload wave (baseline, overload, recovery) through the proxy,
 * shows a line per second and writes an SVG chart of the run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { overloadWavePlan, upstreamCapacityRps } from '../demo-plans.js';
import { startDemoUpstream, type RunningUpstream } from '../demo-upstream.js';
import { startLoad, type LoadRun } from '../load-generator.js';
import { stageAt, LoadPlanSchema } from '../load-plan.js';
import { DemoProcess, freePort, packageBin } from './live-processes.js';
import { viewHeader, viewLine } from './live-view.js';
import type { RunSecond } from './run-record.js';
import { renderRunChart } from './svg-chart.js';
import { guestsAndSubscribersPolicy } from '../demo-policies.js';

export interface LiveDemoOptions {
  /** Upstream workers. @default 4 */
  readonly concurrency?: number;
  /** Upstream service time, ms. @default 100 */
  readonly latencyMs?: number;
  /** Stage lengths, ms. The baseline must outlast the agent's 5 s token-rate window and the policy's warm-up. */
  readonly baselineMs?: number;
  readonly overloadMs?: number;
  readonly recoveryMs?: number;
  /** Where the chart goes. @default dist/demo */
  readonly outputDir?: string;
  readonly write?: (text: string) => void;
  /** Ends the run early (e.g. on Ctrl-C); the chart is still written. */
  readonly signal?: AbortSignal;
}

export interface LiveDemoResult {
  readonly chartPath: string;
  readonly seconds: readonly RunSecond[];
}

const POLICY_NAME = 'demo-service-protection';
const WORKLOADS = ['subscribers', 'guests'];

/** The embedded policy: guests (priority 50) are shed before subscribers (priority 200). */
export function demoPolicy(): unknown {
  return guestsAndSubscribersPolicy(POLICY_NAME, { linearIncrement: 0.05 });
}

interface LoopView {
  readonly state: string;
  readonly setpointMs: number | null;
  readonly loadMultiplier: number;
  readonly passThrough: boolean;
}

export async function runLiveDemo(options: LiveDemoOptions = {}): Promise<LiveDemoResult> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const concurrency = options.concurrency ?? 4;
  const latencyMs = options.latencyMs ?? 100;
  const capacity = upstreamCapacityRps({ concurrency, latencyMs });
  const plan = LoadPlanSchema.parse(
    overloadWavePlan({
      capacityRps: capacity,
      baselineMs: options.baselineMs ?? 20_000,
      overloadMs: options.overloadMs ?? 40_000,
      recoveryMs: options.recoveryMs ?? 45_000,
    }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'sluice-demo-'));
  const policies = join(dir, 'policies');
  mkdirSync(policies);
  writeFileSync(join(policies, `${POLICY_NAME}.yaml`), stringify(demoPolicy()));
  const token = `demo-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const [grpc, http, apiPort, agentGrpc, agentHttp, proxyPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const processes: DemoProcess[] = [];
  let upstream: RunningUpstream | undefined;
  let run: LoadRun | undefined;
  const seconds: RunSecond[] = [];
  const outputDir = resolve(options.outputDir ?? join('dist', 'demo'));
  const chartPath = join(outputDir, 'sluice-demo.svg');

  const api = async (): Promise<LoopView | undefined> => {
    const response = await fetch(`http://127.0.0.1:${apiPort}/v1/policies`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await response.json()) as { policies: { controlLoops: LoopView[] }[] };
    return body.policies[0]?.controlLoops[0];
  };

  try {
    write(
      `Sluice live demo: upstream ${concurrency} workers × ${latencyMs} ms = ${capacity} req/s capacity; `,
    );
    write(
      `subscribers (priority 200) and guests (priority 50) at ${plan.stages.map((stage) => stage.name).join(' → ')}, about ${Math.round(plan.stages.reduce((t, s) => t + s.durationMs, 0) / 1000)} s.\n`,
    );
    upstream = await startDemoUpstream({ host: '127.0.0.1', port: 0, concurrency, latencyMs, errorRatio: 0 });
    processes.push(
      await DemoProcess.start(
        'controller',
        [
          packageBin('controller'),
          '--policies',
          policies,
          '--grpc-port',
          String(grpc),
          '--http-port',
          String(http),
          '--api-port',
          String(apiPort),
          // A local run: nothing listens beyond loopback.
          '--bind-address',
          '127.0.0.1',
        ],
        /AgentSync on/,
        { SLUICE_CONTROLLER_API_TOKEN: token },
      ),
    );
    processes.push(
      await DemoProcess.start(
        'agent',
        [
          packageBin('agent'),
          '--grpc-port',
          String(agentGrpc),
          '--http-port',
          String(agentHttp),
          '--controller',
          `127.0.0.1:${grpc}`,
          // Matches the policy's 500 ms evaluation interval, so overload is seen within about a second.
          '--report-interval-ms',
          '250',
          '--log-level',
          'warn',
        ],
        /"listening"/,
      ),
    );
    processes.push(
      await DemoProcess.start(
        'proxy',
        [
          packageBin('proxy'),
          '--listen',
          `127.0.0.1:${proxyPort}`,
          '--upstream',
          `127.0.0.1:${upstream.port}`,
          '--agent',
          `127.0.0.1:${agentGrpc}`,
          '--control-point',
          'ingress',
          '--access-log',
          '--decision-header',
        ],
        /sluice-proxy listening on/,
      ),
    );
    write(
      `controller :${http}, agent :${agentGrpc}, proxy :${proxyPort}, upstream :${upstream.port}\n\n${viewHeader(WORKLOADS)}\n`,
    );

    const upstreamOrigin = upstream.uptimeMs();
    let loop: LoopView | undefined;
    let polling = false;
    const poll = setInterval(() => {
      if (polling) return;
      polling = true;
      api().then(
        (view) => {
          loop = view;
          polling = false;
        },
        () => (polling = false),
      );
    }, 500);
    const activeRun = startLoad(plan, {
      target: `http://127.0.0.1:${proxyPort}`,
      onSecond: (second) => {
        // Show the second before the one that just ended: its answers are in by now.
        const shown = second - 1;
        if (shown < 0 || upstream === undefined) return;
        const results = activeRun.results();
        const upstreamSecond = upstream.window(
          Math.floor((upstreamOrigin + shown * 1000) / 1000),
          Math.floor((upstreamOrigin + shown * 1000) / 1000) + 1,
        );
        const record: RunSecond = {
          second: shown,
          stage: stageAt(plan, shown * 1000)?.name ?? 'end',
          workloads: Object.fromEntries(
            WORKLOADS.map((name) => {
              const counts = results[name]?.perSecond.find((entry) => entry.second === shown);
              const rejected = Object.values(counts?.rejected ?? {}).reduce(
                (total, count) => total + count,
                0,
              );
              return [name, { offered: counts?.offered ?? 0, admitted: counts?.admitted ?? 0, rejected }];
            }),
          ),
          upstreamP50Ms: upstreamSecond.latency.p50Ms,
          upstreamP90Ms: upstreamSecond.latency.p90Ms,
          setpointMs: loop?.setpointMs ?? undefined,
          loadMultiplier: loop === undefined || loop.passThrough ? undefined : loop.loadMultiplier,
          loopState: loop?.state ?? 'starting',
        };
        seconds.push(record);
        write(`${viewLine(record, WORKLOADS)}\n`);
        if (seconds.length % 20 === 0) write(`${viewHeader(WORKLOADS)}\n`);
      },
    });
    run = activeRun;
    const onAbort = () => void activeRun.stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const report = await activeRun.done;
    options.signal?.removeEventListener('abort', onAbort);
    clearInterval(poll);

    // The chart uses the final counts: answers that were still in flight when a second was shown.
    for (const [index, record] of seconds.entries()) {
      seconds[index] = {
        ...record,
        workloads: Object.fromEntries(
          WORKLOADS.map((name) => {
            const counts = report.workloads[name]?.perSecond.find((entry) => entry.second === record.second);
            const rejected = Object.values(counts?.rejected ?? {}).reduce((total, count) => total + count, 0);
            return [name, { offered: counts?.offered ?? 0, admitted: counts?.admitted ?? 0, rejected }];
          }),
        ),
      };
    }
    const overload = (name: string) => {
      const entries =
        report.workloads[name]?.perSecond.filter(
          (entry) => stageAt(plan, entry.second * 1000)?.name === 'overload',
        ) ?? [];
      const offered = entries.reduce((total, entry) => total + entry.offered, 0);
      const admitted = entries.reduce((total, entry) => total + entry.admitted, 0);
      return offered === 0 ? '-' : `${((admitted / offered) * 100).toFixed(1)}%`;
    };
    write(
      `\nDuring the overload Sluice admitted ${overload('subscribers')} of subscribers' requests and ${overload('guests')} of guests'.\n`,
    );
  } finally {
    await run?.stop();
    for (const running of processes.reverse()) await running.stop();
    await upstream?.stop();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(outputDir, { recursive: true });
    writeFileSync(
      chartPath,
      renderRunChart(seconds, {
        title: `Sluice live demo: upstream capacity ${capacity} req/s; overload: subscribers 0.6× and guests 2.4× capacity`,
        workloads: WORKLOADS,
      }),
    );
  }
  write(`Chart of the run: ${chartPath}\n`);
  return { chartPath, seconds };
}
