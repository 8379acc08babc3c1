// Sluice outside this repository: pack sluicectl and the packages it needs, install the tarballs into a
// project under the system temp directory, scaffold with `sluicectl init`, and synthesise there. The npm
// registry serves only third-party dependencies (from npm ci's cache when it has them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYNTH_TABLE, SYNTHESISED_FOLDERS, synthesisedKinds } from '../repo/support/synthesised-kinds.js';

const ROOT = realpathSync(fileURLToPath(new URL('../../', import.meta.url)));

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  types?: string;
  files?: string[];
  bin?: Record<string, string>;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
}

const workspaceManifests = new Map<string, { directory: string; manifest: Manifest }>(
  readdirSync(join(ROOT, 'packages')).map((directory) => {
    const manifest = JSON.parse(
      readFileSync(join(ROOT, 'packages', directory, 'package.json'), 'utf8'),
    ) as Manifest;
    return [manifest.name, { directory, manifest }];
  }),
);

/** `name` and every workspace package it reaches through `dependencies`. */
function withSiblingDependencies(name: string, into = new Set<string>()): Set<string> {
  if (into.has(name)) return into;
  into.add(name);
  const entry = workspaceManifests.get(name);
  assert.ok(entry, `${name} is not a workspace package`);
  for (const dependency of Object.keys(entry.manifest.dependencies ?? {}))
    if (workspaceManifests.has(dependency)) withSiblingDependencies(dependency, into);
  return into;
}

// npm run from a workspace script exports npm_config_* (workspace, prefix…) that would steer the nested npm.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
  assert.equal(
    result.status,
    0,
    `${command} ${args.join(' ')} in ${cwd}: exit ${result.status}\n${result.stdout}\n${result.stderr}`,
  );
  return result;
}

/** Every target a manifest points at (main, types, exports, bin), relative and without './'. */
function declaredTargets(manifest: Manifest): string[] {
  const exportTargets = (value: unknown): string[] =>
    typeof value === 'string'
      ? [value]
      : value && typeof value === 'object'
        ? Object.values(value).flatMap(exportTargets)
        : [];
  return [
    manifest.main,
    manifest.types,
    ...Object.values(manifest.exports ?? {}).flatMap(exportTargets),
    ...Object.values(manifest.bin ?? {}),
  ]
    .filter((target): target is string => target !== undefined && !target.includes('*'))
    .map((target) => target.replace(/^\.\//, ''));
}

test('spec, manifests and cli pack cleanly and run sluicectl init and synth outside the repository', () => {
  const packed = [...withSiblingDependencies('@sluice/cli')].sort();
  assert.deepEqual(packed, ['@sluice/cli', '@sluice/manifests', '@sluice/spec']);

  const work = realpathSync(mkdtempSync(join(tmpdir(), 'sluice-packed-')));
  assert.ok(relative(ROOT, work).startsWith('..'), `${work} is inside the repository`);
  try {
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    const pack = run(
      'npm',
      [
        'pack',
        ...packed.flatMap((name) => ['-w', name]),
        '--pack-destination',
        tarballs,
        '--ignore-scripts',
        '--json',
      ],
      ROOT,
    );
    const results = JSON.parse(pack.stdout) as {
      name: string;
      version: string;
      filename: string;
      files: { path: string }[];
    }[];
    assert.deepEqual(results.map((result) => result.name).sort(), packed);

    for (const result of results) {
      const { manifest } = workspaceManifests.get(result.name) ?? assert.fail(result.name);
      const files = new Set(result.files.map((file) => file.path));
      assert.ok(manifest.files && manifest.files.length > 0, `${result.name}: no "files"`);
      assert.ok(manifest.exports?.['.'], `${result.name}: no "exports" for "."`);
      assert.ok(manifest.types, `${result.name}: no "types"`);
      for (const target of declaredTargets(manifest))
        assert.ok(files.has(target), `${result.name}: ${target} is declared but not in the tarball`);
      const stray = [...files].filter((path) => /^(src|test)\//.test(path) || path.includes('tsconfig'));
      assert.deepEqual(stray, [], `${result.name} packs sources or tests`);
      for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
        assert.doesNotMatch(
          range,
          /^(file|link|workspace):|^\.{0,2}\//,
          `${result.name} → ${dependency}: ${range}`,
        );
        const sibling = workspaceManifests.get(dependency);
        if (sibling) assert.equal(range, sibling.manifest.version, `${result.name} → ${dependency}`);
      }
    }
    const tarballPaths = results.map((result) => join(tarballs, result.filename));

    // A project that only has the tarballs: npx sluicectl comes from there, not from the repository.
    const tools = join(work, 'tools');
    mkdirSync(tools);
    writeFileSync(join(tools, 'package.json'), '{ "name": "tools", "private": true, "type": "module" }\n');
    const install = ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballPaths];
    run('npm', install, tools);
    const init = run('npx', ['--no-install', 'sluicectl', 'init', 'my-sluice'], tools);
    assert.equal(init.stdout.split('\n').filter((line) => line.startsWith('wrote ')).length, 5, init.stdout);

    // The scaffolded project installs (its @sluice/* from the tarballs, the rest from the registry)…
    const app = join(tools, 'my-sluice');
    const scaffolded = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<string, any>;
    assert.equal(scaffolded['type'], 'module');
    assert.equal(
      scaffolded['dependencies']['@sluice/manifests'],
      workspaceManifests.get('@sluice/manifests')?.manifest.version,
    );
    run('npm', install, app);

    // …type-checks against the packed declarations, and synthesises.
    run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], app);
    const synth = run('npm', ['run', 'synth'], app);
    assert.match(synth.stdout, SYNTH_TABLE);
    const { folders, kinds, count } = synthesisedKinds(join(app, 'deploy'));
    assert.deepEqual(folders, SYNTHESISED_FOLDERS);
    assert.equal(count('CustomResourceDefinition'), 1, kinds.join(', '));
    assert.equal(count('DaemonSet'), 1, kinds.join(', '));
    assert.equal(count('Deployment'), 1, kinds.join(', '));
    assert.equal(count('FlowPolicy'), 1, kinds.join(', '));
    assert.ok(count('EnvoyFilter') >= 1, kinds.join(', '));

    // The packed types catch a misspelt key in the scaffolded config.
    const config = join(app, 'sluice.config.ts');
    writeFileSync(config, readFileSync(config, 'utf8').replace("release: 'sluice',", "relase: 'sluice',"));
    const typo = spawnSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], {
      cwd: app,
      env,
      encoding: 'utf8',
    });
    assert.notEqual(typo.status, 0, 'tsc accepted a misspelt key');
    assert.match(typo.stdout, /sluice\.config\.ts\(\d+,\d+\): error TS\d+: .*'relase'/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
