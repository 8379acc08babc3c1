/**
 * Control quality: each scenario without control and with the average-latency policy, on the e2e
 * topology. Targets apply to the policy runs; the runs without control show what it is measured against.
 */
import { mkdirSync } from 'node:fs';
import { judge, type Figure, type StageReport, type TargetResult } from '../report/figures.js';
import { ratio } from '../report/stats.js';
import {
  GOODPUT_TARGET,
  P90_SETPOINT_TARGET,
  REACT_TARGET_MS,
  RECOVER_TARGET_MS,
} from './control-metrics.js';
import { runControlScenario, type ControlMode, type ControlRunResult } from './control-run.js';
import type { Scenario } from './control-scenarios.js';

const SECTION = 'control-quality';

function runFigures(result: ControlRunResult): Figure[] {
  const label = `${result.scenario}, ${result.mode}`;
  const figure = (name: string, value: number, unit: string, note?: string): Figure => ({
    section: SECTION,
    name: `${label}: ${name}`,
    value,
    unit,
    ...(note === undefined ? {} : { note }),
  });
  const figures = Object.entries(result.admitted).map(([workload, share]) =>
    figure(
      `${workload} admitted in the overload`,
      share.share * 100,
      '%',
      `${share.admitted}/${share.offered}`,
    ),
  );
  figures.push(
    figure('upstream p50 (overload)', result.overload.latency.p50Ms, 'ms'),
    figure('upstream p90 (overload)', result.overload.latency.p90Ms, 'ms'),
    figure('upstream p99 (overload)', result.overload.latency.p99Ms, 'ms'),
    figure('upstream p90 (2nd half of overload)', result.secondHalf.latency.p90Ms, 'ms'),
    figure(
      'goodput ÷ capacity (overload)',
      result.goodputShare * 100,
      '%',
      `capacity ${result.capacityRps}/s`,
    ),
    figure('fail-opens', result.failOpens, '', `of ${result.proxyRequests} requests`),
  );
  if (result.mode === 'average-latency') {
    figures.push(
      figure('setpoint', result.setpointMs, 'ms'),
      figure('time to react (LM < 1 after the step)', result.reactMs / 1000, 's'),
      figure(
        'time to recover (pass-through after the drop)',
        result.recoverMs / 1000,
        's',
        Number.isFinite(result.recoverMs)
          ? undefined
          : `not within the ${result.observedAfterDropMs / 1000} s observed`,
      ),
      figure('lowest LM in the overload', result.lowestLoadMultiplier, ''),
    );
  }
  return figures;
}

function runTargets(result: ControlRunResult): TargetResult[] {
  const label = `${result.scenario}, ${result.mode}`;
  const p90Ratio = ratio(result.secondHalf.latency.p90Ms, result.setpointMs);
  const recover = judge({
    section: SECTION,
    name: `${label}: time to recover`,
    measured: result.recoverMs / 1000,
    comparison: 'at-most',
    limit: RECOVER_TARGET_MS / 1000,
    unit: 's',
  });
  return [
    judge({
      section: SECTION,
      name: `${label}: goodput ÷ capacity`,
      measured: result.goodputShare * 100,
      comparison: 'at-least',
      limit: GOODPUT_TARGET * 100,
      unit: '%',
    }),
    judge({
      section: SECTION,
      name: `${label}: p90 (2nd half of overload) ÷ setpoint`,
      measured: p90Ratio,
      comparison: 'at-most',
      limit: P90_SETPOINT_TARGET,
      unit: '×',
    }),
    judge({
      section: SECTION,
      name: `${label}: time to react`,
      measured: result.reactMs / 1000,
      comparison: 'at-most',
      limit: REACT_TARGET_MS / 1000,
      unit: 's',
      ...(Number.isFinite(result.reactMs) ? {} : { note: 'LM never fell below 1' }),
    }),
    // Not seen within the run: it took longer than the part of the run after the drop. When that part
    // is shorter than the target, nothing can be concluded (SKIP); judge() already says so for NaN.
    Number.isFinite(result.recoverMs) || result.observedAfterDropMs < RECOVER_TARGET_MS
      ? {
          ...recover,
          ...(Number.isFinite(result.recoverMs)
            ? {}
            : { note: `not within the ${result.observedAfterDropMs / 1000} s observed` }),
        }
      : {
          ...recover,
          verdict: 'MISS',
          note: `not within the ${result.observedAfterDropMs / 1000} s observed`,
        },
  ];
}

export async function runControlQuality(options: {
  readonly scenarios: readonly Scenario[];
  readonly modes: readonly ControlMode[];
  readonly outputDir: string;
  readonly log: (line: string) => void;
}): Promise<StageReport> {
  const started = Date.now();
  mkdirSync(options.outputDir, { recursive: true });
  const results: ControlRunResult[] = [];
  const figures: Figure[] = [];
  const targets: TargetResult[] = [];
  for (const scenario of options.scenarios) {
    for (const mode of options.modes) {
      options.log(`control quality: ${scenario.name}, ${mode} (${scenario.description})`);
      const result = await runControlScenario({
        scenario,
        mode,
        outputDir: options.outputDir,
        log: options.log,
      });
      results.push(result);
      figures.push(...runFigures(result));
      if (mode === 'average-latency') targets.push(...runTargets(result));
      options.log(
        `  ${Object.entries(result.admitted)
          .map(([name, share]) => `${name} ${(share.share * 100).toFixed(1)}%`)
          .join(', ')} admitted; ` +
          `goodput ${(result.goodputShare * 100).toFixed(1)}%; p90 ${result.overload.latency.p90Ms.toFixed(0)} ms (2nd half ${result.secondHalf.latency.p90Ms.toFixed(0)} ms); ` +
          (mode === 'average-latency'
            ? `setpoint ${result.setpointMs.toFixed(1)} ms, react ${(result.reactMs / 1000).toFixed(1)} s, recover ${(result.recoverMs / 1000).toFixed(1)} s; `
            : '') +
          `fail-opens ${result.failOpens}/${result.proxyRequests}; chart ${result.chartPath}`,
      );
    }
  }
  return {
    stage: SECTION,
    figures,
    targets,
    skipped: [],
    details: {
      runs: results.map(({ seconds: _seconds, ...rest }) => rest),
      seconds: results.map((r) => ({ scenario: r.scenario, mode: r.mode, seconds: r.seconds })),
    },
    durationMs: Date.now() - started,
  };
}
