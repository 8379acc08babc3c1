import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../src/index.js';
import { sluicectl } from './cli-support.js';

const BIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

test('no arguments prints the command overview and exits 0', async () => {
  const run = await sluicectl([]);
  assert.equal(run.code, 0);
  for (const command of COMMANDS)
    assert.ok(run.stdout.includes(command.path.join(' ')), command.path.join(' '));
  assert.equal((await sluicectl(['--help'])).stdout, run.stdout);
  assert.equal((await sluicectl(['help'])).stdout, run.stdout);
});

test('every command has --help, exiting 0 with its usage and exit codes', async () => {
  for (const command of COMMANDS) {
    const run = await sluicectl([...command.path, '--help']);
    assert.equal(run.code, 0, command.path.join(' '));
    assert.match(run.stdout, new RegExp(`^Usage: sluicectl ${command.path.join(' ')}`));
    assert.match(run.stdout, /Exit codes: 0 success, 1 failure, 2 bad input/);
    for (const option of Object.keys(command.options))
      assert.ok(run.stdout.includes(`--${option}`), `${command.path.join(' ')} --${option}`);
  }
});

test('an unknown command or option is bad input (exit 2) with a hint', async () => {
  const unknown = await sluicectl(['blueprints', 'frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^sluicectl: unknown command "blueprints frobnicate"\n/);
  const option = await sluicectl(['blueprints', 'list', '--colour']);
  assert.equal(option.code, 2);
  assert.equal(
    option.stderr,
    'sluicectl blueprints list: unknown option --colour\nRun `sluicectl blueprints list --help`.\n',
  );
});

test('the installed bin runs with the same exit codes', () => {
  const ok = spawnSync(process.execPath, [BIN, 'blueprints', 'list', '-o', 'json'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(
    (JSON.parse(ok.stdout) as { name: string }[]).map((row) => row.name),
    ['load-scheduling/average-latency', 'rate-limiting/base'],
  );
  const bad = spawnSync(process.execPath, [BIN, 'blueprints', 'list', '-o', 'xml'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /"xml" is not allowed; use one of table, json, yaml/);
});
