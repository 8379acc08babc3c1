// The examples are written as a user's own project would be: Sluice by package name, never by a path
// into packages/, and they type-check against the built declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');

const sources = readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' }).filter(
  (path) => path.endsWith('.ts') && !path.split('/').includes('deploy'),
);

test('every example imports Sluice by package name', () => {
  assert.ok(sources.length >= 5, sources.join(', '));
  let sluiceImports = 0;
  for (const path of sources) {
    const specifiers = [...readFileSync(join(EXAMPLES, path), 'utf8').matchAll(/from '([^']+)'/g)].map(
      (match) => match[1] ?? '',
    );
    const intoPackages = specifiers.filter((specifier) => /(^|\/)packages\//.test(specifier));
    assert.deepEqual(intoPackages, [], `examples/${path} imports a package by path`);
    sluiceImports += specifiers.filter((specifier) => specifier.startsWith('@sluice/')).length;
  }
  assert.ok(sluiceImports >= 5, `${sluiceImports} imports of @sluice/* across ${sources.length} files`);
});

test('examples/tsconfig.json type-checks the examples with no path mapping', () => {
  const tsconfig = readFileSync(join(EXAMPLES, 'tsconfig.json'), 'utf8');
  assert.doesNotMatch(tsconfig, /"paths"|"rootDir"/);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', join(EXAMPLES, 'tsconfig.json')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});
