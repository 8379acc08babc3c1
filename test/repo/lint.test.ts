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
