/**
 * No TypeScript file reaches into another workspace by relative path (imports, `import()`,
 * `new URL('…', import.meta.url)`): workspaces use each other by package name, as declared dependencies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crossingsIn } from './support/workspace-crossings.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = 'test/repo/fixtures/cross-workspace/reaches-into-agent.ts';

/** The root package.json's workspaces, with `packages/*` expanded to the folders holding a package.json. */
function workspaces(): string[] {
  const globs = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] })
    .workspaces;
  const found = globs.flatMap((glob) =>
    glob.endsWith('/*')
      ? readdirSync(join(ROOT, glob.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => `${glob.slice(0, -2)}/${entry.name}`)
      : [glob],
  );
  return [...new Set(found)].filter((workspace) => existsSync(join(ROOT, workspace, 'package.json')));
}

/** Every .ts source in the workspaces, except build output, dependencies and deliberate fixtures. */
function sources(dirs: readonly string[]): string[] {
  return dirs.flatMap((dir) =>
    (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
      .map((path) => `${dir}/${path.split('\\').join('/')}`)
      .filter((path) => path.endsWith('.ts') && !/\/(node_modules|dist|fixtures|unpacked)\//.test(path)),
  );
}

test('no .ts file in any workspace reaches another workspace by a relative path', () => {
  const all = workspaces();
  assert.ok(all.length >= 10, `expected the 8+ packages, test and bench; found ${all.join(', ')}`);
  const files = sources(all);
  assert.ok(files.length > 300, `scanned only ${files.length} files`);
  const offenders = files.flatMap((file) => crossingsIn(file, readFileSync(join(ROOT, file), 'utf8'), all));
  assert.equal(
    offenders.length,
    0,
    offenders.map((c) => `${c.file}:${c.line} '${c.specifier}' leaves ${c.from} for ${c.to}`).join('\n'),
  );
});

test('the scanner flags each way the fixture reaches into the agent, and nothing else', () => {
  const crossings = crossingsIn(FIXTURE, readFileSync(join(ROOT, FIXTURE), 'utf8'), workspaces());
  assert.deepEqual(
    crossings.map((c) => [c.line, c.to]),
    [
      [3, 'packages/agent'],
      [5, 'packages/agent'],
      [7, 'packages/*'],
    ],
  );
  assert.ok(crossings.every((c) => c.from === 'test'));
});

test('the lint config rejects an import that leaves its workspace by a relative path', () => {
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--no-ignore', '--format', 'json', FIXTURE],
    { cwd: ROOT, encoding: 'utf8' },
  );
  assert.equal(result.status, 1, result.stderr);
  const [report] = JSON.parse(result.stdout) as { messages: { ruleId: string; line: number }[] }[];
  assert.deepEqual(
    report?.messages.map((message) => [message.ruleId, message.line]),
    [['import-x/no-relative-packages', 3]],
  );
});
