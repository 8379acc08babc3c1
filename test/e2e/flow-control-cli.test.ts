// `sluicectl` against the running topology (issue 8, part 4): the control points the agent saw, live
// flow-label and HTTP previews (with the classifier's `user-type` label), and the policy listing,
// all through the controller's API with its bearer token, run in-process with runCli.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, runCli, type CliIo } from '@sluice/cli';
import { startLoad, type LoadRun } from '@sluice/demo';
import { API_TOKEN, averageLatencyPolicy, CONTROL_POINT, Topology } from '@sluice/e2e-kit';
import { waitFor } from '@sluice/testkit';

let topology: Topology;
let load: LoadRun | undefined;

before(async () => {
  topology = await Topology.start({
    policies: { 'service-protection': averageLatencyPolicy('service-protection') },
    upstream: { concurrency: 10, latencyMs: 20 },
  });
  // Light traffic for the whole file (it stops by itself after 60 s, or in `after`).
  load = startLoad(
    {
      workloads: [
        {
          name: 'subscribers',
          kind: 'open-loop',
          headers: { 'user-type': 'subscriber' },
          userIds: { count: 5, prefix: 's' },
        },
        {
          name: 'guests',
          kind: 'open-loop',
          headers: { 'user-type': 'guest' },
          userIds: { count: 5, prefix: 'g' },
        },
      ],
      stages: [{ name: 'steady', durationMs: 60_000, targets: { subscribers: 10, guests: 10 } }],
    },
    { target: topology.proxyUrl },
  );
});

after(async () => {
  await load?.stop();
  await topology?.stop();
});

async function sluicectl(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { SLUICE_CONTROLLER: topology.controllerUrl, SLUICE_TOKEN: API_TOKEN },
    cwd: process.cwd(),
  };
  const code = await runCli(COMMANDS, argv, io);
  return { code, stdout, stderr };
}

test("flow-control control-points lists the proxy's control point", async () => {
  const result = await waitFor(
    async () => {
      const run = await sluicectl('flow-control', 'control-points');
      return run.code === 0 && run.stdout.includes(CONTROL_POINT) ? run : undefined;
    },
    { timeoutMs: 15_000, what: 'the control point in `sluicectl flow-control control-points`' },
  );
  const lines = result.stdout.trim().split('\n');
  assert.match(lines[0] ?? '', /AGENT GROUP\s+SERVICE\s+NAME\s+TYPE/);
  assert.ok(
    lines.slice(1).some((line) => /^default\s+\S+\s+ingress\s+\S+/.test(line)),
    `no row for group default, control point ingress:\n${result.stdout}`,
  );

  const json = await sluicectl('flow-control', 'control-points', '-o', 'json');
  assert.equal(json.code, 0, json.stderr);
  assert.match(json.stdout, /"ingress"/);
});

test('flow-control preview returns flow-label samples with user-type', async () => {
  const result = await sluicectl(
    'flow-control',
    'preview',
    CONTROL_POINT,
    '--samples',
    '5',
    '--timeout',
    '10s',
  );
  assert.equal(result.code, 0, result.stderr);
  const { samples } = JSON.parse(result.stdout) as { samples: Record<string, string>[] };
  assert.ok(samples.length >= 1, result.stdout);
  assert.ok(samples.length <= 5, `${samples.length} samples for --samples 5`);
  for (const sample of samples)
    assert.match(sample['user-type'] ?? '', /^(guest|subscriber)$/, JSON.stringify(sample));
});

test('flow-control preview --label-matcher keeps only matching flows; --http shows requests', async () => {
  const matched = await sluicectl(
    'flow-control',
    'preview',
    CONTROL_POINT,
    '--samples',
    '3',
    '--timeout',
    '10s',
    '--label-matcher',
    'user-type=subscriber',
  );
  assert.equal(matched.code, 0, matched.stderr);
  const { samples } = JSON.parse(matched.stdout) as { samples: Record<string, string>[] };
  assert.ok(samples.length >= 1, matched.stdout);
  for (const sample of samples) assert.equal(sample['user-type'], 'subscriber');

  const http = await sluicectl(
    'flow-control',
    'preview',
    CONTROL_POINT,
    '--samples',
    '2',
    '--timeout',
    '10s',
    '--http',
  );
  assert.equal(http.code, 0, http.stderr);
  assert.match(http.stdout, /user-type/);
});

test('policy list shows the running policy as Valid', async () => {
  const result = await sluicectl('policy', 'list');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /service-protection/);
  assert.match(result.stdout, /Valid/);
});

test('a wrong token is refused with exit 1', async () => {
  const result = await sluicectl('flow-control', 'control-points', '--token', 'not-the-token-at-all');
  assert.equal(result.code, 1);
  assert.match(result.stderr, /401|token/);
});
