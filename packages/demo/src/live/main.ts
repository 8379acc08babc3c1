#!/usr/bin/env node
/**
 * `npm start` (root): the live demo, about two minutes. Ctrl-C ends it early; every process it started
 * is stopped and the chart is still written.
 *
 *   node packages/demo/dist/live/main.js [--baseline S] [--overload S] [--recovery S] [--output-dir DIR]
 *
 * Exit 0 after a run, 1 on a failure to start, 2 on bad flags.
 */
import { parseArgs } from 'node:util';
import { runLiveDemo } from './live-demo.js';

const USAGE =
  'usage: main.js [--baseline SECONDS] [--overload SECONDS] [--recovery SECONDS] [--output-dir DIR]';

function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    process.stderr.write(`--${flag} ${value}: expected a positive number of seconds\n${USAGE}\n`);
    process.exit(2);
  }
  return parsed * 1000;
}

let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      baseline: { type: 'string' },
      overload: { type: 'string' },
      recovery: { type: 'string' },
      'output-dir': { type: 'string' },
    },
    strict: true,
  }));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

const baselineMs = seconds('baseline', values['baseline']);
const overloadMs = seconds('overload', values['overload']);
const recoveryMs = seconds('recovery', values['recovery']);
runLiveDemo({
  signal: controller.signal,
  ...(baselineMs !== undefined ? { baselineMs } : {}),
  ...(overloadMs !== undefined ? { overloadMs } : {}),
  ...(recoveryMs !== undefined ? { recoveryMs } : {}),
  ...(values['output-dir'] !== undefined ? { outputDir: values['output-dir'] } : {}),
}).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`sluice demo: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
