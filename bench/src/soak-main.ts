/**
 * `npm run soak`: 10 minutes of Checks at half the agent's peak while its policy changes every 10 s,
 * then PASS or MISS on memory and handle growth. Unlike `npm run bench`, a soak is a pass/fail check,
 * so a MISS fails the process. Exit codes: 0 every check PASS, 1 a MISS or a soak that could not
 * finish, 2 bad arguments, no build or no h2load.
 */
import { cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { H2LOAD_INSTALL_HINT, h2loadHasRps, h2loadVersion } from './decision-path/h2load-runner.js';
import { formatNumber } from './report/table.js';
import {
  growthChecks,
  growthWindows,
  HANDLE_MARGIN,
  RSS_GROWTH_LIMIT_PERCENT,
  seriesSummary,
} from './soak/growth.js';
import {
  parseSoakArgs,
  SOAK_USAGE,
  soakOutputName,
  SoakUsageError,
  type SoakOptions,
} from './soak/soak-options.js';
import {
  growthTable,
  runChecks,
  runTable,
  seriesTable,
  soakPassed,
  windowsText,
} from './soak/soak-report.js';
import { runSoak } from './soak/soak-run.js';
import { missingBuilds, OUTPUT_DIR } from './system/repo-paths.js';

const log = (line: string) => process.stdout.write(`${line}\n`);

/** What must be there before minutes of load are worth starting; a message, or undefined when all is. */
function missingPrerequisite(): string | undefined {
  if (missingBuilds().includes('agent'))
    return 'no build of the agent: run `npm run build` first (the soak runs packages/agent/dist)';
  if (h2loadVersion() === undefined) return H2LOAD_INSTALL_HINT;
  if (!h2loadHasRps())
    return 'this h2load has no --rps (nghttp2 ≥ 1.43 needed): the soak paces its load with it';
  return undefined;
}

async function soak(options: SoakOptions): Promise<number> {
  const started = new Date();
  const durationMs = options.minutes * 60_000;
  const loadBefore = loadavg();
  log(
    `Sluice soak: ${options.minutes} min; ${cpus().length} CPUs, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const run = await runSoak({ durationMs, log });
  const windows = growthWindows(durationMs);
  const growth = growthChecks(run.samples, windows);
  const checks = runChecks({ checks: run.checks, agent: run.agent, churn: run.churn });
  const passed = soakPassed(growth, checks);
  const series = seriesSummary(run.samples, durationMs);
  const text = [
    `## Series (agent pid samples every ${(run.sampleIntervalMs / 1000).toFixed(1)} s)`,
    '',
    seriesTable(series),
    '',
    `## Growth (${windowsText(windows)})`,
    '',
    growthTable(growth),
    '',
    '## Load and churn',
    '',
    `peak ${formatNumber(run.peakPerSecond)}/s (policy a, pass-through); offered ${formatNumber(run.checks.offeredPerSecond)}/s, ` +
      `achieved ${formatNumber(run.checks.achievedPerSecond)}/s over ${run.checks.segments} h2load segments; ` +
      `${run.churn.pushes} policy pushes (${Object.entries(run.churn.perVariant)
        .map(([name, count]) => `${name} ×${count}`)
        .join(
          ', ',
        )}), applied in ${formatNumber(run.churn.applyMedianMs)} ms median, ${formatNumber(run.churn.applyMaxMs)} ms max; ` +
      `agent answered ${run.agent.checks.toLocaleString('en-US')} Checks (${run.agent.checksRejected.toLocaleString('en-US')} rejected by the policy), received ${run.agent.componentMessages} policy messages, ignored ${run.agent.staleHashDecisions} stale-hash decisions` +
      (run.scrapeFailures > 0
        ? `; ${run.scrapeFailures} metrics scrapes failed (${run.lastScrapeError})`
        : ''),
    '',
    runTable(checks),
    '',
    ...(run.churn.failures.length > 0
      ? ['Unverified pushes:', ...run.churn.failures.map((f) => `- ${f}`), '']
      : []),
    `${passed ? 'PASS' : 'MISS'}: ${[...growth, ...checks].filter((c) => c.verdict === 'PASS').length} PASS, ` +
      `${[...growth, ...checks].filter((c) => c.verdict === 'MISS').length} MISS, ` +
      `${[...growth, ...checks].filter((c) => c.verdict === 'SKIP').length} SKIP; ` +
      `${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min in all`,
  ].join('\n');
  log(`\n${text}`);
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const name = soakOutputName(options);
  const results = {
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    minutes: options.minutes,
    passed,
    limits: { rssGrowthPercent: RSS_GROWTH_LIMIT_PERCENT, handleMargin: HANDLE_MARGIN },
    windows,
    growth,
    checks,
    series,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      node: process.version,
      h2load: h2loadVersion(),
      loadBefore,
      loadAfter: loadavg(),
    },
    run,
  };
  writeFileSync(join(OUTPUT_DIR, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(OUTPUT_DIR, `${name}.md`), `${text}\n`);
  log(`\nWrote ${join(OUTPUT_DIR, `${name}.json`)} and ${name}.md`);
  return passed ? 0 : 1;
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseSoakArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof SoakUsageError) {
      process.stderr.write(`soak: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(SOAK_USAGE);
    return 0;
  }
  const missing = missingPrerequisite();
  if (missing !== undefined) {
    // Not a skip: a soak that cannot run has not passed.
    process.stderr.write(`soak: ${missing}\n`);
    return 2;
  }
  return soak(options);
}

// Child processes are killed by their 'exit' hook; Ctrl-C must run it rather than die at once.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `soak: MISS, the soak could not finish: ${String((error as Error).stack ?? error)}\n`,
    );
    process.exit(1);
  },
);
