// The README's TypeScript path must run as written: extract the snippet, run it, count what it wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('the README TypeScript snippet synthesises the four charts', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const snippet = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(snippet, 'no ```ts block in README.md');
  // Inside the repository so '@sluice/manifests' resolves through the workspace.
  const file = join(ROOT, 'test', 'repo', `readme-snippet-${process.pid}.ts`);
  const out = mkdtempSync(join(tmpdir(), 'sluice-readme-'));
  writeFileSync(file, snippet);
  try {
    const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
    const run = spawnSync(process.execPath, ['--import', `file://${tsx}`, file], {
      cwd: out,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
  } finally {
    rmSync(file, { force: true });
  }
  const files = readdirSync(join(out, 'dist')).sort();
  assert.equal(files.length, 4, files.join(', '));
  const kinds = files.flatMap((name) =>
    parseAllDocuments(readFileSync(join(out, 'dist', name), 'utf8')).map(
      (d) => (d.toJS() as { kind: string }).kind,
    ),
  );
  for (const kind of [
    'CustomResourceDefinition',
    'DaemonSet',
    'Deployment',
    'ServiceMonitor',
    'EnvoyFilter',
    'FlowPolicy',
  ]) {
    assert.ok(kinds.includes(kind), `${kind} missing from ${kinds.join(', ')}`);
  }
});
