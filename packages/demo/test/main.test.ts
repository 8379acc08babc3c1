import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpCall } from '@sluice/testkit';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, stderr: () => stderr };
}

describe('sluice-demo', () => {
  it('refuses a non-loopback target and a bad plan with exit 2', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sluice-demo-'));
    const plan = join(directory, 'plan.yaml');
    writeFileSync(
      plan,
      'workloads: [{ name: w, kind: open-loop }]\nstages: [{ name: s, durationMs: 100, targets: { x: 1 } }]\n',
    );
    const remote = run(['load', '--target', 'http://192.0.2.1:80', '--plan', plan]);
    const badPlan = run(['load', '--target', 'http://127.0.0.1:9', '--plan', plan]);
    assert.equal(await remote.exited, 2);
    assert.match(remote.stderr(), /is not allowed: only http\(s\) on localhost/);
    assert.equal(await badPlan.exited, 2);
    assert.match(badPlan.stderr(), /stages\[0\]\.targets\.x: .*no workload named "x"/);
  });

  it('refuses an unknown overload mode with exit 2, naming the allowed ones', async () => {
    const upstream = run(['upstream', '--port', '0', '--overload', 'drop']);
    assert.equal(await upstream.exited, 2);
    assert.match(upstream.stderr(), /overload: "drop" is not allowed.*"queue", "fast-503", "stall"/);
  });

  it('runs the upstream until SIGTERM', async () => {
    const upstream = run(['upstream', '--port', '0', '--latency-ms', '0']);
    let url: string | undefined;
    for await (const chunk of upstream.child.stdout) {
      url = /demo upstream on (http:\/\/\S+):/.exec(String(chunk))?.[1];
      if (url !== undefined) break;
    }
    assert.ok(url, upstream.stderr());
    assert.ok([200, 500].includes((await httpCall(`${url}/request`)).status));
    upstream.child.kill('SIGTERM');
    assert.equal(await upstream.exited, 0);
  });
});
