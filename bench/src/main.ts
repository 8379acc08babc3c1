/**
 * `npm run bench`: runs the benchmark stages, prints the figures and the targets (PASS/MISS, never a
 * failing exit for a miss) and writes everything to dist/bench/. Exit codes: 0 done (misses
 * included), 1 a stage crashed, 2 bad arguments or no build.
 */
import { cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAccessLog } from './access-log/access-log-bench.js';
import {
  parseBenchArgs,
  STAGES,
  USAGE,
  UsageError,
  type BenchOptions,
  type StageName,
} from './bench-options.js';
import { stepScenario, waveScenario } from './control-quality/control-scenarios.js';
import { runControlQuality } from './control-quality/control-quality-bench.js';
import { runDecisionPath } from './decision-path/decision-path-bench.js';
import { nodeCeiling } from './decision-path/node-ceiling.js';
import { runAgentProfile } from './profile/agent-profile.js';
import type { Figure, StageReport } from './report/figures.js';
import { figuresTable, targetsTable } from './report/table.js';
import { runTenantScale } from './synthesis/tenant-scale.js';
import { missingBuilds, OUTPUT_DIR } from './system/repo-paths.js';
import { checkRequestFrame } from './decision-path/check-request-bytes.js';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function runStages(options: BenchOptions): Promise<{ reports: StageReport[]; crashed: string[] }> {
  const { quick } = options;
  const reports: StageReport[] = [];
  const crashed: string[] = [];
  let checkCpuSeconds = Number.NaN;
  let recordCpuSeconds = Number.NaN;
  let agentPeakPerSecond = Number.NaN;
  let checkBody: Buffer | undefined;
  const stage = async (name: StageName, run: () => Promise<StageReport>) => {
    if (!options.stages.includes(name)) return;
    log(`\n== ${name} ==`);
    try {
      const report = await run();
      reports.push(report);
      log(`${name} took ${(report.durationMs / 1000).toFixed(0)} s`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${name} FAILED: ${message}`);
      crashed.push(name);
      reports.push({
        stage: name,
        figures: [],
        targets: [],
        skipped: [`crashed: ${message}`],
        details: {},
        durationMs: 0,
      });
    }
  };

  await stage('decision-path', async () => {
    const result = await runDecisionPath({
      repeats: quick ? 1 : 3,
      peakSeconds: quick ? 1.5 : 3,
      rateSeconds: quick ? 2 : 4,
      lmWarmUpSeconds: 5.5,
      log,
    });
    checkCpuSeconds = result.checkCpuSeconds;
    checkBody = result.body;
    const summaries = (result.report.details as { summaries?: { kind: string; peakPerSecond: number }[] })
      .summaries;
    agentPeakPerSecond =
      summaries?.find((summary) => summary.kind === 'agent-pass-through')?.peakPerSecond ?? Number.NaN;
    return result.report;
  });
  checkBody ??= checkRequestFrame({ userType: 'guest', userId: 'g-1' }, Date.now());
  const body = checkBody;
  await stage('access-log', async () => {
    // Checks at 40% of the agent's peak, so Checks plus logs stay under one core.
    const rate = Number.isFinite(agentPeakPerSecond) ? 0.4 * agentPeakPerSecond : 2_000;
    const result = await runAccessLog({
      checkBody: body,
      checkRatePerSecond: rate,
      seconds: quick ? 2 : 3,
      repeats: quick ? 1 : 3,
      log,
    });
    recordCpuSeconds = result.recordCpuSeconds;
    return result.report;
  });
  if (Number.isFinite(checkCpuSeconds)) {
    const ceiling = nodeCeiling(checkCpuSeconds, recordCpuSeconds);
    const section = 'node-ceiling';
    const figures: Figure[] = [
      {
        section,
        name: 'Checks/s per agent core (policy, pass-through)',
        value: ceiling.checksPerCoreSecond,
        unit: '/s',
        note: '1 ÷ CPU per Check at peak',
      },
      {
        section,
        name: 'access-log records/s per agent core',
        value: ceiling.recordsPerCoreSecond,
        unit: '/s',
      },
      {
        section,
        name: 'mesh hops/s per agent core',
        value: ceiling.hopsPerCoreSecond,
        unit: '/s',
        note: 'a hop = 2 Checks + 2 log records',
      },
      {
        section,
        name: 'mesh hops/s per agent core, Checks only',
        value: ceiling.hopsPerCoreSecondChecksOnly,
        unit: '/s',
        note: 'a hop = 2 Checks, logs off',
      },
    ];
    for (const figure of figures) log(`${figure.name}: ${Math.round(figure.value)}${figure.unit}`);
    reports.push({ stage: section, figures, targets: [], skipped: [], details: ceiling, durationMs: 0 });
  }
  await stage('profile', () =>
    runAgentProfile({
      checkBody: body,
      seconds: quick ? 2 : 5,
      states: quick ? ['agent-pass-through'] : ['agent-pass-through', 'agent-lm-0.5', 'access-log'],
      outputDir: OUTPUT_DIR,
      log,
    }),
  );
  await stage('synthesis', () =>
    runTenantScale({
      scales: quick ? [10, 100, 1000] : [10, 100, 1000, 5000],
      repeats: quick ? 1 : 3,
      // 5,000 tenants take minutes on Helm today (see the README); one run each is what fits in 30 min.
      helmSingleRunFrom: 5000,
      helmTimeoutMs: 360_000,
      log,
    }),
  );
  await stage('control-quality', () =>
    runControlQuality({
      scenarios: quick ? [stepScenario()] : [stepScenario(), waveScenario()],
      modes: quick ? ['average-latency'] : ['no-control', 'average-latency'],
      outputDir: OUTPUT_DIR,
      log,
    }),
  );
  return { reports, crashed };
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bench: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const missing = missingBuilds();
  if (missing.length > 0) {
    process.stderr.write(
      `bench: no build of ${missing.join(', ')}: run \`npm run build\` first (the benchmarks run dist/)\n`,
    );
    return 2;
  }
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const started = new Date();
  const loadBefore = loadavg();
  log(
    `Sluice benchmarks${options.quick ? ' (quick: figures not comparable)' : ''}: ${options.stages.join(', ')}; ${cpus().length} CPUs, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const { reports, crashed } = await runStages(options);
  const durationMs = Date.now() - started.getTime();
  const figures = reports.flatMap((report) => report.figures);
  const targets = reports.flatMap((report) => report.targets);
  const figureText = figuresTable(figures);
  const targetText = targetsTable(targets);
  const skipped = reports.flatMap((report) => report.skipped.map((reason) => `${report.stage}: ${reason}`));
  const text = [
    `## Figures`,
    '',
    figureText,
    '',
    `## Targets`,
    '',
    targetText,
    '',
    ...(skipped.length > 0 ? ['## Skipped', '', ...skipped.map((reason) => `- ${reason}`), ''] : []),
    `${targets.filter((t) => t.verdict === 'PASS').length} PASS, ${targets.filter((t) => t.verdict === 'MISS').length} MISS, ${targets.filter((t) => t.verdict === 'SKIP').length} SKIP; ${(durationMs / 60_000).toFixed(1)} min`,
  ].join('\n');
  log(`\n${text}`);
  const results = {
    startedAt: started.toISOString(),
    durationMs,
    quick: options.quick,
    stages: options.stages,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      node: process.version,
      loadBefore,
      loadAfter: loadavg(),
    },
    reports,
  };
  // A partial or quick run never overwrites the results of a full one.
  const full = !options.quick && options.stages.length === STAGES.length;
  const name = full ? 'results' : `results-${options.quick ? 'quick-' : ''}${options.stages.join('+')}`;
  writeFileSync(join(OUTPUT_DIR, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(OUTPUT_DIR, `${name}.md`), `${text}\n`);
  log(`\nWrote ${join(OUTPUT_DIR, `${name}.json`)} and ${name}.md`);
  return crashed.length > 0 ? 1 : 0;
}

// Child processes are killed by their 'exit' hook; Ctrl-C must run it rather than die at once.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  },
);
