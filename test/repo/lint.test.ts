import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the lint config rejects an import cycle', () => {
  const result = spawnSync(
    process.execPath,
    [
      `${root}node_modules/eslint/bin/eslint.js`,
      '--no-ignore',
      '--format',
      'json',
      'test/repo/fixtures/cycle/first.ts',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(result.status, 1, result.stderr);
  const [report] = JSON.parse(result.stdout) as { messages: { ruleId: string }[] }[];
  assert.deepEqual(
    report?.messages.map((message) => message.ruleId),
    ['import-x/no-cycle'],
  );
});

/** Lints `source` as if it lived at `path`, through the real config. */
function lintAs(path: string, source: string): string[] {
  const result = spawnSync(
    process.execPath,
    [`${root}node_modules/eslint/bin/eslint.js`, '--format', 'json', '--stdin', '--stdin-filename', path],
    { cwd: root, encoding: 'utf8', input: source },
  );
  const [report] = JSON.parse(result.stdout) as { messages: { ruleId: string }[] }[];
  return (report?.messages ?? []).map((message) => message.ruleId);
}

test('package sources read time and randomness only through @sluice/clock', () => {
  const source = [
    'export const a = Date.now();',
    'export const b = new Date();',
    'export const c = performance.now();',
    'export const d = setTimeout(() => undefined, 1);',
    'export const e = Math.random();',
    'export const f = new Date(0).toISOString();',
    '',
  ].join('\n');
  // One report per line but the third (performance is both a restricted global and a restricted property).
  assert.deepEqual(lintAs('packages/agent/src/leak.ts', source).sort(), [
    'no-restricted-globals',
    'no-restricted-globals',
    'no-restricted-properties',
    'no-restricted-properties',
    'no-restricted-properties',
    'no-restricted-syntax',
  ]);
  assert.deepEqual(lintAs('packages/clock/src/leak.ts', source), []);
  assert.deepEqual(lintAs('packages/agent/test/leak.test.ts', source), []);
});
