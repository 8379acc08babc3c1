import { AverageLatencyLoop } from '../../src/control/average-latency-loop.js';
import type { TickResult } from '../../src/control/loop-status.js';
import type { AverageLatencyLoopConfig } from '@sluice/spec';
import type { BaselineState } from '../../src/control/latency-baseline.js';
import { EMPTY_SAMPLE, type TickSample } from '../../src/control/tick-sample.js';
import { ClosedLoopRun } from './closed-loop-run.js';
import type { PlantOptions } from './demo-upstream-plant.js';
import { loopConfig } from './loop-config.js';
import { seededRandom } from '@sluice/clock';
import { tickSample } from './tick-samples.js';
import { warmBaselines } from './warm-baselines.js';

/**
 * The control loop's decision sequences in the scenarios the loop tests use (closed loops against the
 * plant with their seeds, the synthetic capacity and failure steps) and in random report sequences
 * that reach every branch (silence, empty reports, overload, recovery, release, warm-up, recompiles).
 * Each scenario is a list of lines: one per tick (the whole TickResult as JSON, so every number is
 * exact), then the state trace and the persisted baseline.
 */
export interface RecordedScenario {
  readonly name: string;
  readonly lines: readonly string[];
}

const CAPACITY = 200;

/** Every field of a tick's result that existed before issue 18, in a fixed order (exact numbers). */
function tickLine(result: TickResult): string {
  const { decision: d, status: s } = result;
  return JSON.stringify([
    [d.policyName, d.policyHash, d.componentId, d.loadMultiplier, d.passThrough, d.ttlMs],
    [s.state, s.signalMs, s.baselineMs, s.setpointMs, s.overloaded, s.overloadCauses, s.errorRatio],
    [s.baselineErrorRatio, s.desiredLoadMultiplier, s.observedLoadMultiplier, s.capacityFloor],
    [s.releases, s.ticks, result.released],
  ]);
}

function closing(loop: AverageLatencyLoop): string[] {
  const trace = loop.trace.map(({ tick, from, to }) => `${tick}:${from}>${to}`);
  return [`trace ${trace.join(' ')}`, `baseline ${JSON.stringify(loop.baselineSnapshot())}`];
}

function closedLoop(
  name: string,
  options: {
    plant?: Partial<PlantOptions>;
    config?: Partial<AverageLatencyLoopConfig>;
    restoredBaseline?: BaselineState;
  },
  phases: readonly (readonly [ratePerSecond: number, durationMs: number])[],
): RecordedScenario {
  const run = new ClosedLoopRun(options);
  let until = 0;
  for (const [rate, duration] of phases) {
    run.plant.setArrivalRate(rate);
    until += duration;
    run.runUntil(until);
  }
  return { name, lines: [...run.ticks.map(tickLine), ...closing(run.loop)] };
}

/**
 * Random reports in regimes of 5–40 ticks (calm, latency overload, backlog, fast failures, stalls,
 * silence, empty reports, a slow dependency), each tick drawn around its regime.
 */
function randomReports(
  name: string,
  seed: number,
  ticks: number,
  config: Partial<AverageLatencyLoopConfig>,
  options: { warm: boolean; reconfigureAt?: number } = { warm: true },
): RecordedScenario {
  const random = seededRandom(seed);
  const loop = new AverageLatencyLoop({
    config: loopConfig(config),
    ...(options.warm ? { restoredBaseline: warmBaselines({ failedPerHundred: 2 }) } : {}),
  });
  const lines: string[] = [];
  const regimes = ['calm', 'latency', 'backlog', 'fast-503', 'stall', 'silent', 'empty', 'slow'] as const;
  let regime: (typeof regimes)[number] = 'calm';
  let regimeLeft = 0;
  let multiplier = 1;
  for (let tick = 0; tick < ticks; tick++) {
    if (regimeLeft <= 0) {
      regime = regimes[Math.floor(random() * regimes.length)] ?? 'calm';
      regimeLeft = 5 + Math.floor(random() * 36);
    }
    regimeLeft -= 1;
    if (tick === options.reconfigureAt)
      loop.reconfigure(loopConfig({ ...config, policyHash: 'ffffffffffffffffffffffffffffffff' }));
    const incoming = Math.round(50 + random() * 250);
    const accepted = Math.min(
      incoming,
      Math.round(incoming * Math.min(1, multiplier) * (0.9 + 0.2 * random())),
    );
    const served = Math.round(accepted * (0.8 + 0.2 * random()));
    const base = {
      ...EMPTY_SAMPLE,
      incomingTokens: incoming,
      acceptedTokens: accepted,
      rejectedTokens: incoming - accepted,
      reportCount: 1,
    };
    let sample: TickSample | undefined;
    switch (regime) {
      case 'calm': {
        const failed = random() < 0.3 ? Math.floor(random() * 3) : 0;
        sample = {
          ...base,
          okCount: served - failed,
          okLatencySumMs: (served - failed) * (40 + 15 * random()),
          completedCount: served,
          failedCount: failed,
        };
        break;
      }
      case 'latency':
      case 'slow': {
        const latency = regime === 'slow' ? 200 : 55 + 400 * random() * Math.min(1, multiplier);
        sample = { ...base, okCount: served, okLatencySumMs: served * latency, completedCount: served };
        break;
      }
      case 'backlog': {
        const completed = Math.round(Math.min(served, 60 + 20 * random()));
        sample = {
          ...base,
          okCount: completed,
          okLatencySumMs: completed * (55 + 1500 * random()),
          completedCount: completed,
        };
        break;
      }
      case 'fast-503': {
        const failed = Math.round(served * (0.2 + 0.6 * random()));
        sample = {
          ...base,
          okCount: served - failed,
          okLatencySumMs: (served - failed) * (45 + 10 * random()),
          completedCount: served,
          failedCount: failed,
        };
        break;
      }
      case 'stall': {
        const stalled = Math.round(served * (0.1 + 0.4 * random()));
        const ok = served - stalled;
        sample = {
          ...base,
          okCount: ok,
          okLatencySumMs: ok * (50 + 20 * random()),
          completedCount: ok,
          stalledCount: stalled,
          stalledLatencySumMs: stalled * 1000,
          failedCount: stalled,
        };
        break;
      }
      case 'silent':
        sample = undefined;
        break;
      case 'empty':
        sample = { ...base, incomingTokens: incoming, acceptedTokens: 0, rejectedTokens: incoming };
        break;
    }
    // Sometimes a tick's reports come from two agents.
    if (sample !== undefined) {
      if (random() < 0.2) {
        loop.record({ ...sample, reportCount: 0 });
        loop.record(EMPTY_SAMPLE);
      } else loop.record(sample);
    }
    const result = loop.tick();
    multiplier = result.decision.passThrough ? 1 : result.decision.loadMultiplier;
    lines.push(tickLine(result));
    if (tick % 50 === 49)
      lines.push(`decision ${tickLine({ decision: loop.decision(), status: loop.status, released: false })}`);
  }
  return { name, lines: [...lines, ...closing(loop)] };
}

/** The capacity test's synthetic sequences: backlogged ticks, then the probe and the lift of the cap. */
function capacitySteps(name: string, backlogDrainFloor: number, after: 'probe' | 'lift'): RecordedScenario {
  const loop = new AverageLatencyLoop({
    config: loopConfig({ signalWindowMs: 2000, evaluationIntervalMs: 1000, backlogDrainFloor }),
    restoredBaseline: warmBaselines({ failedPerHundred: 2 }),
  });
  const report = (completed: number, latencyMs: number, incoming: number, accepted: number) =>
    tickSample({ ok: [completed, latencyMs], incoming, accepted });
  const lines: string[] = [];
  let multiplier = 2;
  for (let tick = 0; tick < 2; tick++) {
    loop.record(report(20, 1055, 60, 60));
    const result = loop.tick();
    multiplier = result.decision.loadMultiplier;
    lines.push(tickLine(result));
  }
  for (let tick = 0; tick < 80; tick++) {
    if (after === 'probe') {
      const accepted = Math.round(60 * Math.min(1, multiplier));
      loop.record(report(accepted, 50, 60, accepted));
    } else loop.record(report(15, 50, 15, 15));
    const result = loop.tick();
    multiplier = result.decision.loadMultiplier;
    lines.push(tickLine(result));
  }
  return { name, lines: [...lines, ...closing(loop)] };
}

/** Every recorded scenario, in a fixed order. */
export function recordLoopScenarios(): RecordedScenario[] {
  const half = 0.5 * CAPACITY;
  const triple = 3 * CAPACITY;
  const scenarios: RecordedScenario[] = [];
  for (const seed of [1, 2, 3])
    scenarios.push(
      closedLoop(`step 3x, seed ${seed}`, { plant: { seed } }, [
        [half, 120_000],
        [triple, 300_000],
        [half, 120_000],
      ]),
    );
  for (const agentRateWindowMs of [1000, 30_000])
    scenarios.push(
      closedLoop(
        `step 3x, agent rate window ${agentRateWindowMs} ms`,
        { plant: { seed: 1, agentRateWindowMs } },
        [
          [half, 120_000],
          [triple, 300_000],
          [half, 120_000],
        ],
      ),
    );
  for (const config of [
    { backlogDrainFloor: 0.95 },
    { backlogDrainFloor: 0.5 },
    { backlogDrainFloor: 0.3, signalWindowMs: 2000 },
  ])
    scenarios.push(
      closedLoop(`drain ${JSON.stringify(config)}`, { plant: { seed: 5 }, config }, [
        [half, 120_000],
        [triple, 30_000],
        [half, 60_000],
      ]),
    );
  scenarios.push(
    closedLoop('10 min overload', { plant: { seed: 11 } }, [
      [half, 120_000],
      [triple, 600_000],
    ]),
  );
  const first = new ClosedLoopRun({ plant: { seed: 21 } });
  first.plant.setArrivalRate(half);
  first.runUntil(120_000);
  scenarios.push(
    closedLoop(
      'restart with a persisted baseline',
      { plant: { seed: 22 }, restoredBaseline: first.loop.baselineSnapshot() },
      [
        [triple, 60_000],
        [half, 60_000],
      ],
    ),
  );
  for (const mode of ['fast-503', 'stall'] as const) {
    for (const seed of [1, 2, 3])
      scenarios.push(
        closedLoop(`${mode}, seed ${seed}`, { plant: { seed, overloadMode: mode, routeTimeoutMs: 1000 } }, [
          [half, 120_000],
          [triple, 120_000],
          [half, 120_000],
        ]),
      );
    scenarios.push(
      closedLoop(
        `${mode}, dryRun`,
        { plant: { seed: 1, overloadMode: mode, routeTimeoutMs: 1000 }, config: { dryRun: true } },
        [
          [half, 120_000],
          [triple, 120_000],
          [half, 120_000],
        ],
      ),
    );
  }
  scenarios.push(
    closedLoop('5% random 500s, 0.3–0.6×', { plant: { seed: 1, errorRatio: 0.05 } }, [
      [0.35 * CAPACITY, 300_000],
      [0.6 * CAPACITY, 300_000],
      [0.3 * CAPACITY, 300_000],
    ]),
  );
  scenarios.push(
    closedLoop('fast-503 at 0.55×, then 1.5×', { plant: { seed: 2, overloadMode: 'fast-503' } }, [
      [0.55 * CAPACITY, 300_000],
      [1.5 * CAPACITY, 120_000],
      [0.4 * CAPACITY, 120_000],
    ]),
  );
  scenarios.push(capacitySteps('capacity, probe, floor 0.95', 0.95, 'probe'));
  scenarios.push(capacitySteps('capacity, probe, floor 0.3', 0.3, 'probe'));
  scenarios.push(capacitySteps('capacity, lift', 0.95, 'lift'));
  const randomConfigs: readonly [string, Partial<AverageLatencyLoopConfig>][] = [
    ['defaults', {}],
    ['window 1 s', { signalWindowMs: 1000 }],
    ['window 2 s, floor 0.3', { signalWindowMs: 2000, backlogDrainFloor: 0.3 }],
    ['release after 2 windows', { releaseAfterWindows: 2 }],
    ['dryRun', { dryRun: true }],
    ['errors off', { errorRatioTolerance: 1 }],
    ['gradients 0.5–0.9, increment 0.1', { minGradient: 0.5, maxGradient: 0.9, linearIncrement: 0.1 }],
  ];
  for (const [label, config] of randomConfigs)
    for (const seed of [1, 2])
      scenarios.push(randomReports(`random, ${label}, seed ${seed}`, seed, 600, config));
  scenarios.push(randomReports('random, cold start', 7, 600, { warmUpMs: 20_000 }, { warm: false }));
  scenarios.push(
    randomReports('random, recompiled at tick 300', 8, 600, {}, { warm: true, reconfigureAt: 300 }),
  );
  return scenarios;
}
