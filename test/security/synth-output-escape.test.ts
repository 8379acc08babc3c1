import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageBin } from '@sluice/testkit';

const SLUICECTL = packageBin('@sluice/cli', import.meta.url);

/** Attack 7: a policy namespace of `x/../../../escaped/pwned` used to write outside --output-dir. */
test('sluicectl synth refuses a policy namespace that walks out of --output-dir, and writes nothing', async () => {
  // Deep enough that ../../../ from the output folder stays inside this temporary directory.
  const root = mkdtempSync(join(tmpdir(), 'sluice-escape-'));
  const work = join(root, 'a', 'b', 'c');
  mkdirSync(work, { recursive: true });
  writeFileSync(
    join(work, 'sluice.yaml'),
    [
      'release: sluice',
      'policies:',
      '  - apiVersion: sluice.dev/v1alpha1',
      '    kind: FlowPolicy',
      '    metadata: {name: pwned, namespace: "x/../../../escaped/pwned"}',
      '    spec: {loadSchedulers: [{name: protect, selectors: [{controlPoint: ingress}]}]}',
      '',
    ].join('\n'),
  );
  const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [SLUICECTL, 'synth', '--config', 'sluice.yaml', '--output-dir', 'out'],
      { cwd: work },
      (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
    );
    child.stdin?.end();
  });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /metadata\.namespace: "x\/\.\.\/\.\.\/\.\.\/escaped\/pwned" is not allowed/);
  const everything = readdirSync(root, { recursive: true }).map(String).sort();
  assert.deepEqual(everything, ['a', 'a/b', 'a/b/c', 'a/b/c/sluice.yaml']);
});
