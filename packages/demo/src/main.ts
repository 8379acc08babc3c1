#!/usr/bin/env node
/**
 * `sluice-demo`: the demo upstream and the load generator as commands.
 *
 *   sluice-demo upstream [--host H] [--port P] [--concurrency N] [--latency-ms L] [--error-ratio E]
 *                        [--overload queue|fast-503|stall] [--stall-ms MS]
 *   sluice-demo load --target http://127.0.0.1:10000 --plan plan.yaml [--json]
 *   sluice-demo --help
 *
 * Exits 2 on bad input, 1 on failure.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { SpecValidationError, parseWith } from '@sluice/spec';
import { startDemoUpstream } from './demo-upstream.js';
import { startLoad } from './load-generator.js';
import { LoadPlanSchema } from './load-plan.js';
import { loopbackTarget } from './loopback-target.js';
import { DemoUpstreamConfigSchema } from './upstream-config.js';
import type { WorkloadSecond } from './load-results.js';

const USAGE = `usage: sluice-demo upstream [--host H] [--port P] [--concurrency N] [--latency-ms L] [--error-ratio E]
                            [--overload queue|fast-503|stall] [--stall-ms MS]
       sluice-demo load --target URL --plan FILE [--json]
       sluice-demo --help`;

class UsageError extends Error {}

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || Number.isNaN(parsed))
    throw new UsageError(`--${name} ${value}: expected a number`);
  return parsed;
}

async function upstream(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      concurrency: { type: 'string' },
      'latency-ms': { type: 'string' },
      'error-ratio': { type: 'string' },
      overload: { type: 'string' },
      'stall-ms': { type: 'string' },
    },
    strict: true,
  });
  const parsed = parseWith(DemoUpstreamConfigSchema, {
    host: values.host,
    port: numberFlag('port', values.port),
    concurrency: numberFlag('concurrency', values.concurrency),
    latencyMs: numberFlag('latency-ms', values['latency-ms']),
    errorRatio: numberFlag('error-ratio', values['error-ratio']),
    overload: values.overload,
    stallMs: numberFlag('stall-ms', values['stall-ms']),
  });
  if (!parsed.ok) throw new SpecValidationError('sluice-demo upstream flags', parsed.issues);
  const running = await startDemoUpstream(parsed.value);
  const { config } = running;
  process.stdout.write(
    `demo upstream on ${running.url}: concurrency ${config.concurrency}, latency ${config.latencyMs} ms, error ratio ${config.errorRatio}, overload ${config.overload}${config.overload === 'stall' ? ` (${config.stallMs} ms)` : ''}\n`,
  );
  const stop = () => void running.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function line(second: number, results: Readonly<Record<string, WorkloadSecond | undefined>>): string {
  const parts = Object.entries(results).map(([name, result]) => {
    if (result === undefined) return `${name}: -`;
    const rejected =
      Object.entries(result.rejected)
        .map(([status, count]) => `${status}×${count}`)
        .join(' ') || '0';
    const p90 = Number.isNaN(result.latency.p90Ms) ? '-' : `${result.latency.p90Ms.toFixed(0)}ms`;
    return `${name}: offered ${result.offered} admitted ${result.admitted} rejected ${rejected} 500s ${result.upstreamErrors} p90 ${p90}`;
  });
  return `[${String(second).padStart(3)}s] ${parts.join(' | ')}`;
}

async function load(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { target: { type: 'string' }, plan: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  if (values.target === undefined || values.plan === undefined)
    throw new UsageError('load needs --target and --plan');
  try {
    loopbackTarget(values.target);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const parsed = parseWith(LoadPlanSchema, parseYaml(readFileSync(values.plan, 'utf8')));
  if (!parsed.ok) throw new SpecValidationError(values.plan, parsed.issues);
  const run = startLoad(parsed.value, {
    target: values.target,
    onSecond: values.json
      ? undefined
      : (second, results) => process.stdout.write(`${line(second, results)}\n`),
  });
  process.once('SIGINT', () => void run.stop());
  const report = await run.done;
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else
    process.stdout.write(
      `done after ${(report.durationMs / 1000).toFixed(1)} s (${report.stoppedBy}), ${report.requests} requests\n`,
    );
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  try {
    if (command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    if (command === 'upstream') await upstream(rest);
    else if (command === 'load') await load(rest);
    else throw new UsageError(command === undefined ? 'missing command' : `unknown command "${command}"`);
  } catch (error) {
    const bad =
      error instanceof UsageError ||
      error instanceof SpecValidationError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`sluice-demo: ${(error as Error).message}\n${bad ? `${USAGE}\n` : ''}`);
    process.exit(bad ? 2 : 1);
  }
}

void main();
