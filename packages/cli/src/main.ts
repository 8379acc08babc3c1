#!/usr/bin/env node
import { runCli } from './cli-app.js';
import { processIo } from './cli-io.js';
import { COMMANDS } from './commands/index.js';

process.exitCode = await runCli(COMMANDS, process.argv.slice(2), processIo());
