import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

test('CI runs exactly the README test command', () => {
  const ci = read('.ci/run');
  assert.match(ci, /^set -euo pipefail$/m);
  const commands = ci.split('\n').filter((line) => /^npm /.test(line));
  assert.deepEqual(commands, ['npm ci --no-audit --no-fund', 'npm test']);
  const readme = read('README.md');
  assert.match(readme, /npm ci\s/);
  assert.match(readme, /npm test\s/);
});

test('every package has a README and a test script', () => {
  const packages = readdirSync(join(root, 'packages'));
  assert.ok(packages.length >= 2);
  for (const name of packages) {
    const dir = join('packages', name);
    assert.ok(existsSync(join(root, dir, 'README.md')), `${dir}/README.md is missing`);
    const manifest = JSON.parse(read(join(dir, 'package.json'))) as {
      scripts?: Record<string, string>;
      name?: string;
    };
    assert.match(manifest.name ?? '', /^@sluice\//, `${dir} is not in the @sluice scope`);
    assert.ok(manifest.scripts?.['test'], `${dir} has no test script`);
  }
});

test('turbo never caches test results and passes REDIS_URL through', () => {
  const turbo = JSON.parse(read('turbo.json')) as {
    tasks: Record<string, { cache?: boolean; passThroughEnv?: string[]; dependsOn?: string[] }>;
  };
  assert.equal(turbo.tasks['test']?.cache, false);
  assert.ok(turbo.tasks['test']?.passThroughEnv?.includes('REDIS_URL'));
  assert.ok(turbo.tasks['test']?.dependsOn?.includes('^build'));
});

test('every workspace dependency on a sibling uses its exact version', () => {
  const versions = new Map<string, string>();
  const manifests = readdirSync(join(root, 'packages')).map(
    (name) => JSON.parse(read(join('packages', name, 'package.json'))) as Record<string, any>,
  );
  for (const manifest of manifests) versions.set(manifest['name'], manifest['version']);
  for (const manifest of manifests) {
    for (const field of ['dependencies', 'devDependencies']) {
      for (const [dependency, range] of Object.entries((manifest[field] ?? {}) as Record<string, string>)) {
        if (versions.has(dependency))
          assert.equal(range, versions.get(dependency), `${manifest['name']} → ${dependency}`);
      }
    }
  }
});
