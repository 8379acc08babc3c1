// The README's TypeScript path must run as written: extract the snippet, save it as a user's
// sluice.config.ts, run `sluicectl synth` on it, count what it wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYNTH_TABLE, SYNTHESISED_FOLDERS, synthesisedKinds } from './support/synthesised-kinds.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('the README TypeScript snippet is a config sluicectl synth turns into the four charts', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  assert.equal(snippets.length, 1, 'README.md should have exactly one ```ts block');
  // Under the repository's node_modules, so '@sluice/manifests' and 'cdk8s' resolve through the workspace.
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const project = mkdtempSync(join(cache, 'sluice-readme-'));
  try {
    // What the README asks of the project around the file (and what sluicectl init writes).
    writeFileSync(join(project, 'package.json'), '{ "private": true, "type": "module" }\n');
    writeFileSync(join(project, 'sluice.config.ts'), snippets[0] ?? '');
    const run = spawnSync(
      process.execPath,
      [
        join(ROOT, 'packages', 'cli', 'bin', 'sluicectl.js'),
        'synth',
        '--config',
        'sluice.config.ts',
        '--output-dir',
        'deploy',
      ],
      { cwd: project, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, SYNTH_TABLE);
    const { folders, kinds, count } = synthesisedKinds(join(project, 'deploy'));
    assert.deepEqual(folders, SYNTHESISED_FOLDERS);
    for (const kind of [
      'CustomResourceDefinition',
      'DaemonSet',
      'Deployment',
      'ServiceMonitor',
      'FlowPolicy',
    ])
      assert.equal(count(kind), 1, `${kind} × ${count(kind)} in ${kinds.join(', ')}`);
    assert.ok(count('EnvoyFilter') >= 1, kinds.join(', '));
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
