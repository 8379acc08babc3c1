// Every command a package declares runs through npx right after install, whatever mode the build (or a
// turbo cache restore) gave dist/: npm links a committed, executable wrapper that imports the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface BinTarget {
  readonly packageName: string;
  readonly command: string;
  /** Relative to the repository root, with forward slashes (as git prints it). */
  readonly path: string;
}

function binTargets(): BinTarget[] {
  return readdirSync(join(ROOT, 'packages')).flatMap((directory) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', directory, 'package.json'), 'utf8')) as {
      name: string;
      bin?: Record<string, string>;
    };
    return Object.entries(manifest.bin ?? {}).map(([command, target]) => ({
      packageName: manifest.name,
      command,
      path: `packages/${directory}/${target.replace(/^\.\//, '')}`,
    }));
  });
}

/** git's index modes by path, for the files under packages/. */
function committedModes(): Map<string, string> {
  const listing = spawnSync('git', ['ls-files', '-s', 'packages'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(listing.status, 0, listing.stderr);
  return new Map(
    listing.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [meta = '', path = ''] = line.split('\t');
        return [path, meta.split(' ')[0] ?? ''];
      }),
  );
}

const targets = binTargets();

test('the five commands are declared, each by one package', () => {
  assert.deepEqual(targets.map((target) => target.command).sort(), [
    'sluice-agent',
    'sluice-controller',
    'sluice-demo',
    'sluice-proxy',
    'sluicectl',
  ]);
});

test('every bin target is a committed executable wrapper that imports a built file', () => {
  const modes = committedModes();
  for (const target of targets) {
    assert.equal(modes.get(target.path), '100755', `${target.path}: git mode (want 100755, executable)`);
    const source = readFileSync(join(ROOT, target.path), 'utf8');
    assert.ok(source.startsWith('#!/usr/bin/env node\n'), `${target.path}: no #!/usr/bin/env node line`);
    assert.match(target.path, /\/bin\/[^/]+\.js$/, `${target.path}: not under the package's bin/`);
    const imports = [...source.matchAll(/^import '([^']+)';$/gm)].map((match) => match[1] ?? '');
    assert.equal(imports.length, 1, `${target.path}: imports ${imports.length} modules, want 1`);
    const imported = resolve(dirname(join(ROOT, target.path)), imports[0] ?? '');
    assert.match(imported, /\/dist\/[^/]+\.js$/, `${target.path}: imports ${imported}, not a dist/ file`);
    assert.ok(existsSync(imported), `${target.path}: imports ${imported}, which the build did not write`);
  }
});

test('npm links each command to its wrapper, so the mode of dist/ never matters', () => {
  for (const target of targets) {
    const link = join(ROOT, 'node_modules', '.bin', target.command);
    assert.equal(realpathSync(link), realpathSync(join(ROOT, target.path)), `${link}`);
  }
});

for (const target of targets) {
  test(`npx --no-install ${target.command} --help exits 0 from the repository root`, () => {
    const run = spawnSync('npx', ['--no-install', target.command, '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, `${target.command} --help: exit ${run.status}\n${run.stderr}`);
    assert.ok(
      /usage/i.test(run.stdout + run.stderr),
      `${target.command} --help printed no usage:\n${run.stdout}${run.stderr}`,
    );
  });
}
