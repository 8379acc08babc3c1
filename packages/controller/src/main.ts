#!/usr/bin/env node
// The sluice-controller executable: the only module that reads process.env and process.argv.
import { runController } from './daemon/run-controller.js';

const outcome = await runController(process.argv.slice(2), process.env);
if ('exitCode' in outcome) {
  process.exitCode = outcome.exitCode;
} else {
  const { running } = outcome;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`sluice-controller: ${signal}, stopping`);
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`sluice-controller: stop failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
