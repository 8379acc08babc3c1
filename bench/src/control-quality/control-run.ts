/**
 * One control-quality run: the e2e topology (demo upstream, controller, agent, proxy as real
 * processes) under one scenario, without control or with the average-latency policy; the chart of
 * the run goes to an SVG.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { guestsAndSubscribersPolicy, LoadPlanSchema, planDurationMs, stageAt, startLoad } from '@sluice/demo';
import { CONTROL_POINT, LoopRecorder, Topology } from '@sluice/e2e-kit';
// The live demo's chart renderer; @sluice/demo does not export it, so it is read from its source.
import { renderRunChart, type RunSecond } from '@sluice/demo';
import {
  admittedShare,
  loopPerSecond,
  setpointBefore,
  timeUntil,
  upstreamSeconds,
  type LatencyWindow,
  type LoopPoint,
  type WorkloadShare,
} from './control-metrics.js';
import type { Scenario } from './control-scenarios.js';

export type ControlMode = 'no-control' | 'average-latency';

const POLICY_NAME = 'service-protection';
const WORKLOADS = ['subscribers', 'guests'] as const;

export interface ControlRunResult {
  readonly scenario: string;
  readonly mode: ControlMode;
  readonly capacityRps: number;
  readonly admitted: Readonly<Record<string, WorkloadShare>>;
  /** Upstream-side latency of admitted requests over the whole overload. */
  readonly overload: LatencyWindow;
  /** The same over its second half (the target's window). */
  readonly secondHalf: LatencyWindow;
  /** Requests served OK per second during the overload ÷ capacity. */
  readonly goodputShare: number;
  readonly setpointMs: number;
  readonly reactMs: number;
  readonly recoverMs: number;
  /** How long after the drop the run went on (recover beyond it is unknown). */
  readonly observedAfterDropMs: number;
  readonly lowestLoadMultiplier: number;
  readonly failOpens: number;
  readonly proxyRequests: number;
  readonly chartPath: string;
  readonly seconds: readonly RunSecond[];
}

async function upstreamJson<T>(topology: Topology, path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${topology.ports.upstream}${path}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return (await response.json()) as T;
}

export async function runControlScenario(options: {
  readonly scenario: Scenario;
  readonly mode: ControlMode;
  readonly outputDir: string;
  readonly log: (line: string) => void;
}): Promise<ControlRunResult> {
  const { scenario, mode } = options;
  const plan = LoadPlanSchema.parse(scenario.plan);
  const durationMs = planDurationMs(plan);
  const topology = await Topology.start({
    policies:
      mode === 'average-latency'
        ? { [POLICY_NAME]: guestsAndSubscribersPolicy(POLICY_NAME, { linearIncrement: 0.05 }, CONTROL_POINT) }
        : {},
    upstream: { ...scenario.upstream, errorRatio: 0 },
  });
  let recorder: LoopRecorder | undefined;
  try {
    const capacityRps = topology.upstreamCapacityRps;
    const offsetMs = await topology.upstreamUptimeMs();
    const start = Date.now();
    const run = startLoad(plan, { target: topology.proxyUrl });
    if (mode === 'average-latency') recorder = new LoopRecorder(topology, start);
    const report = await run.done;
    recorder?.stop();
    const samples: LoopPoint[] = (recorder?.samples ?? []).map((sample) => ({
      t: sample.t,
      passThrough: sample.passThrough,
      loadMultiplier: sample.loadMultiplier,
      setpointMs: sample.setpointMs,
      state: sample.state,
    }));

    const overloadSeconds = upstreamSeconds(offsetMs, scenario.stepMs, scenario.dropMs);
    const halfSeconds = upstreamSeconds(offsetMs, (scenario.stepMs + scenario.dropMs) / 2, scenario.dropMs);
    const overload = await upstreamJson<LatencyWindow>(
      topology,
      `/_demo/stats/window?from=${overloadSeconds.from}&to=${overloadSeconds.to}`,
    );
    const secondHalf = await upstreamJson<LatencyWindow>(
      topology,
      `/_demo/stats/window?from=${halfSeconds.from}&to=${halfSeconds.to}`,
    );
    const perSecond = await upstreamJson<{ second: number; latency: { p50Ms: number; p90Ms: number } }[]>(
      topology,
      '/_demo/stats/seconds',
    );
    const stats = await topology.proxyStats();
    const admitted = Object.fromEntries(
      WORKLOADS.map((name) => [
        name,
        admittedShare(report.workloads[name]?.perSecond ?? [], scenario.stepMs, scenario.dropMs),
      ]),
    );
    const overloadLms = samples
      .filter((s) => s.t >= scenario.stepMs && s.t < scenario.dropMs && !s.passThrough)
      .map((s) => s.loadMultiplier);

    // The chart: one row per second of load.
    const secondsCount = Math.ceil(durationMs / 1000);
    const loop = loopPerSecond(samples, secondsCount);
    const upstreamBySecond = new Map(perSecond.map((entry) => [entry.second, entry.latency]));
    const seconds: RunSecond[] = Array.from({ length: secondsCount }, (_, second) => {
      const upstream = upstreamBySecond.get(Math.floor((offsetMs + second * 1000) / 1000));
      const sample = loop[second];
      return {
        second,
        stage: stageAt(plan, second * 1000)?.name ?? 'end',
        workloads: Object.fromEntries(
          WORKLOADS.map((name) => {
            const counts = report.workloads[name]?.perSecond.find((entry) => entry.second === second);
            const rejected = Object.values(counts?.rejected ?? {}).reduce((total, count) => total + count, 0);
            return [name, { offered: counts?.offered ?? 0, admitted: counts?.admitted ?? 0, rejected }];
          }),
        ),
        upstreamP50Ms: upstream?.p50Ms ?? Number.NaN,
        upstreamP90Ms: upstream?.p90Ms ?? Number.NaN,
        setpointMs: sample?.setpointMs ?? undefined,
        loadMultiplier: sample === undefined || sample.passThrough ? undefined : sample.loadMultiplier,
        loopState: sample?.state ?? (mode === 'no-control' ? 'no policy' : 'starting'),
      };
    });
    const chartPath = join(options.outputDir, `control-${scenario.name}-${mode}.svg`);
    writeFileSync(
      chartPath,
      renderRunChart(seconds, {
        title: `Sluice bench: ${scenario.description}; ${mode === 'no-control' ? 'no control' : 'average-latency policy'}; capacity ${capacityRps} req/s`,
        workloads: [...WORKLOADS],
      }),
    );
    return {
      scenario: scenario.name,
      mode,
      capacityRps,
      admitted,
      overload,
      secondHalf,
      goodputShare: overload.servedOk / Math.max(1, overloadSeconds.to - overloadSeconds.from) / capacityRps,
      setpointMs: setpointBefore(samples, scenario.stepMs),
      reactMs: timeUntil(samples, scenario.stepMs, (s) => !s.passThrough && s.loadMultiplier < 1),
      recoverMs: timeUntil(samples, scenario.dropMs, (s) => s.passThrough),
      observedAfterDropMs: durationMs - scenario.dropMs,
      lowestLoadMultiplier: overloadLms.length === 0 ? Number.NaN : Math.min(...overloadLms),
      failOpens: stats.failureModeAllowed,
      proxyRequests: stats.requests,
      chartPath,
      seconds,
    };
  } finally {
    recorder?.stop();
    await topology.stop();
  }
}
