// sluicectl against a real controller (in-process, real HTTP on loopback) with a bearer token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runController } from '@sluice/controller';
import { freePort } from '@sluice/testkit';
import { sluicectl, tempDir } from './cli-support.js';

const TOKEN = 'cli-test-token-0123456789';
let url = '';
let stop: () => Promise<void> = async () => {};

before(async () => {
  const policies = tempDir();
  writeFileSync(
    join(policies, 'protect.yaml'),
    'apiVersion: sluice.dev/v1alpha1\nkind: FlowPolicy\nmetadata: {name: protect}\nspec:\n  loadSchedulers:\n    - name: protect\n      selectors: [{controlPoint: ingress}]\n',
  );
  writeFileSync(
    join(policies, 'broken.yaml'),
    'apiVersion: sluice.dev/v1alpha1\nkind: FlowPolicy\nmetadata: {name: broken}\nspec: {rateLimitrs: []}\n',
  );
  const [grpc, http, api] = [await freePort(), await freePort(), await freePort()];
  const outcome = await runController(
    [
      '--policies',
      policies,
      '--grpc-port',
      String(grpc),
      '--http-port',
      String(http),
      '--api-port',
      String(api),
      '--bind-address',
      '127.0.0.1',
    ],
    {
      SLUICE_CONTROLLER_API_TOKEN: TOKEN,
    },
  );
  assert.ok('running' in outcome, 'controller did not start');
  stop = () => outcome.running.stop();
  url = `http://127.0.0.1:${api}`;
});

after(() => stop());

test('policy list shows the valid and the invalid policy with the token', async () => {
  const run = await sluicectl(['policy', 'list', '--controller', url, '--token', TOKEN]);
  assert.equal(run.code, 0, run.stderr);
  const rows = run.stdout.trimEnd().split('\n');
  assert.match(rows[0] ?? '', /^NAME\s+STATUS\s+HASH\s+SIGNAL MS\s+SETPOINT MS\s+LM\s+MESSAGE$/);
  const protect = rows.find((row) => row.startsWith('protect '));
  assert.match(protect ?? '', /^protect\s+Valid\s+[0-9a-f]{12}\s+-\s+-\s+pass/);
  assert.ok(
    rows.some((row) => /Invalid/.test(row) && /rateLimitrs/.test(row)),
    run.stdout,
  );
});

test('SLUICE_TOKEN and SLUICE_CONTROLLER are read from the environment', async () => {
  const run = await sluicectl(['policy', 'list', '-o', 'json'], {
    env: { SLUICE_TOKEN: TOKEN, SLUICE_CONTROLLER: url },
  });
  assert.equal(run.code, 0, run.stderr);
  const names = (JSON.parse(run.stdout) as { name: string | null; status: string }[])
    .map((row) => `${row.name}:${row.status}`)
    .sort();
  assert.deepEqual(names, ['broken:Invalid', 'protect:Valid']);
});

test('a missing or wrong token fails with exit 1 and says what to do', async () => {
  const run = await sluicectl(['flow-control', 'control-points', '--controller', url, '--token', 'wrong']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /refused the token \(401\): pass --token or set SLUICE_TOKEN/);
});

test('control-points prints the header even with no traffic yet', async () => {
  const run = await sluicectl(['flow-control', 'control-points', '--controller', url, '--token', TOKEN]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'AGENT GROUP  SERVICE  NAME  TYPE\n');
});

test('preview with no agents is a failure (exit 1); a bad timeout is bad input (exit 2)', async () => {
  const none = await sluicectl([
    'flow-control',
    'preview',
    'ingress',
    '--controller',
    url,
    '--token',
    TOKEN,
    '--timeout',
    '1s',
  ]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /503 no connected agent supports preview/);
  const bad = await sluicectl([
    'flow-control',
    'preview',
    'ingress',
    '--controller',
    url,
    '--token',
    TOKEN,
    '--timeout',
    '5 minutes',
  ]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /timeout: "5 minutes" is not allowed/);
  const matcher = await sluicectl([
    'flow-control',
    'preview',
    'ingress',
    '--controller',
    url,
    '--label-matcher',
    'novalue',
  ]);
  assert.equal(matcher.code, 2);
  assert.match(matcher.stderr, /"novalue" is not KEY=VALUE/);
});

test('an unreachable controller is a failure naming the URL', async () => {
  const port = await freePort();
  const run = await sluicectl(['flow-control', 'control-points', '--controller', `http://127.0.0.1:${port}`]);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    new RegExp(`cannot reach the controller at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
  );
});
