import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageBin } from '../src/index.js';

/** A project with one package in node_modules, so resolution is Node's own, from a caller file inside it. */
function project(bin: unknown): { dir: string; caller: string } {
  const dir = mkdtempSync(join(tmpdir(), 'testkit-package-bin-'));
  const pkg = join(dir, 'node_modules', '@x', 'tool');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({
      name: '@x/tool',
      exports: { '.': './index.js', './package.json': './package.json' },
      bin,
    }),
  );
  return { dir, caller: pathToFileURL(join(dir, 'caller.js')).href };
}

test('packageBin resolves the bin by package name, by its name when there are several', () => {
  const { dir, caller } = project({ 'x-tool': './dist/main.js', 'x-other': './dist/other.js' });
  try {
    assert.equal(packageBin('@x/tool', caller, 'x-other'), join(dir, 'node_modules/@x/tool/dist/other.js'));
    assert.throws(
      () => packageBin('@x/tool', caller),
      /no bin \(name it: several or none\); it has: x-tool, x-other/,
    );
    assert.throws(() => packageBin('@x/tool', caller, 'nope'), /no bin 'nope'; it has: x-tool, x-other/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('packageBin takes the only bin, and a string bin named after the package', () => {
  const one = project({ 'x-tool': './dist/main.js' });
  const text = project('./cli.js');
  try {
    assert.equal(packageBin('@x/tool', one.caller), join(one.dir, 'node_modules/@x/tool/dist/main.js'));
    assert.equal(packageBin('@x/tool', text.caller), join(text.dir, 'node_modules/@x/tool/cli.js'));
    assert.throws(() => packageBin('@x/missing', one.caller), /Cannot find module/);
  } finally {
    rmSync(one.dir, { recursive: true, force: true });
    rmSync(text.dir, { recursive: true, force: true });
  }
});
