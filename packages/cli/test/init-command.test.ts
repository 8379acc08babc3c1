import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { sluicectl, tempDir } from './cli-support.js';
import { packageNameFor } from '../src/scaffold/project-files.js';

const SCAFFOLD = ['package.json', 'tsconfig.json', 'sluice.config.ts', '.gitignore', 'README.md'];
const CLI_MANIFEST = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

test('init writes the five files, names each, and pins the Sluice packages to this version', async () => {
  const cwd = tempDir();
  const run = await sluicectl(['init', 'My Sluice'], { cwd });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    run.stdout.split('\n').filter((line) => line.startsWith('wrote ')),
    SCAFFOLD.map((file) => `wrote ${join('My Sluice', file)}`),
  );
  assert.match(run.stdout, /next: cd My Sluice && npm install && npm run synth/);
  assert.deepEqual(readdirSync(join(cwd, 'My Sluice')).sort(), [...SCAFFOLD].sort());
  const manifest = JSON.parse(readFileSync(join(cwd, 'My Sluice', 'package.json'), 'utf8')) as Record<
    string,
    any
  >;
  assert.equal(manifest['name'], 'my-sluice');
  assert.equal(manifest['type'], 'module');
  assert.equal(manifest['dependencies']['@sluice/manifests'], CLI_MANIFEST.dependencies['@sluice/manifests']);
  assert.equal(manifest['devDependencies']['@sluice/cli'], CLI_MANIFEST.version);
  assert.match(readFileSync(join(cwd, 'My Sluice', 'sluice.config.ts'), 'utf8'), /from '@sluice\/manifests'/);
});

test('init refuses a non-empty DIR without --force and touches nothing in it', async () => {
  const cwd = tempDir();
  mkdirSync(join(cwd, 'app'));
  writeFileSync(join(cwd, 'app', 'package.json'), '{"name":"mine"}\n');
  const run = await sluicectl(['init', 'app'], { cwd });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /app: not empty \(package\.json\).*--force/);
  assert.deepEqual(readdirSync(join(cwd, 'app')), ['package.json']);
  assert.equal(readFileSync(join(cwd, 'app', 'package.json'), 'utf8'), '{"name":"mine"}\n');
});

test('init --force writes into a non-empty DIR and keeps files it does not write', async () => {
  const cwd = tempDir();
  mkdirSync(join(cwd, 'app'));
  writeFileSync(join(cwd, 'app', 'notes.txt'), 'keep me\n');
  writeFileSync(join(cwd, 'app', 'package.json'), '{"name":"mine"}\n');
  const run = await sluicectl(['init', 'app', '--force'], { cwd });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(readdirSync(join(cwd, 'app')).sort(), [...SCAFFOLD, 'notes.txt'].sort());
  assert.equal(readFileSync(join(cwd, 'app', 'notes.txt'), 'utf8'), 'keep me\n');
  assert.match(readFileSync(join(cwd, 'app', 'package.json'), 'utf8'), /"name": "app"/);
});

test('init names its bad input: no DIR, two DIRs, a file as DIR', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'file'), '');
  const cases: [string[], RegExp][] = [
    [['init'], /name the DIR to create/],
    [['init', 'a', 'b'], /one DIR only; also got b/],
    [['init', 'file'], /file: exists and is not a directory/],
  ];
  for (const [argv, message] of cases) {
    const run = await sluicectl(argv, { cwd });
    assert.equal(run.code, 2, argv.join(' '));
    assert.match(run.stderr, message);
  }
});

test('package names from directory names are ones npm accepts', () => {
  assert.equal(packageNameFor('My Sluice'), 'my-sluice');
  assert.equal(packageNameFor('..'), 'sluice-config');
  assert.equal(packageNameFor('_acme.platform_'), 'acme.platform');
  assert.equal(packageNameFor('x'.repeat(300)).length, 214);
});

test('synth accepts the scaffolded sluice.config.ts as written', async () => {
  // Under the repository's node_modules, so '@sluice/manifests' resolves to this workspace's build; the
  // packed install outside the repository is test/packaging/packed-project.test.ts.
  const cache = fileURLToPath(new URL('../../../node_modules/.cache/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const cwd = mkdtempSync(join(cache, 'sluicectl-init-'));
  try {
    assert.equal((await sluicectl(['init', 'app'], { cwd })).code, 0);
    const run = await sluicectl(
      ['synth', '--config', 'app/sluice.config.ts', '--output-dir', 'app/deploy', '--repo-path', 'deploy'],
      { cwd },
    );
    assert.equal(run.code, 0, run.stderr);
    const deploy = join(cwd, 'app', 'deploy');
    const kinds = readdirSync(deploy, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.yaml') && !file.endsWith('kustomization.yaml'))
      .flatMap((file) =>
        parseAllDocuments(readFileSync(join(deploy, file), 'utf8')).map(
          (document) => (document.toJS() as { kind: string }).kind,
        ),
      );
    for (const kind of ['CustomResourceDefinition', 'DaemonSet', 'Deployment', 'EnvoyFilter', 'FlowPolicy'])
      assert.ok(kinds.includes(kind), `${kind} missing from ${kinds.join(', ')}`);
    assert.equal(kinds.filter((kind) => kind === 'FlowPolicy').length, 1);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
