#!/usr/bin/env node
// Stages one deployable (agent or controller) with only its production dependencies, preserving the
// monorepo's layout so Node resolves modules exactly as it does in the repository:
//   OUT/packages/<workspace>/{package.json,dist,protos}   our workspace packages (built output only)
//   OUT/node_modules/...                                   npm packages reached through `dependencies`
//   OUT/node_modules/@sluice/<name> -> ../../packages/<name>
// The Dockerfile runs it in the build stage; the image runtime test runs the same script.
//
// Usage: node images/stage-runtime.mjs agent|controller OUT_DIR
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = realpathSync(fileURLToPath(new URL('..', import.meta.url)));
const COMPONENTS = ['agent', 'controller'];

const [component, outDir] = process.argv.slice(2);
if (!COMPONENTS.includes(component ?? '') || !outDir) {
  console.error(`usage: node images/stage-runtime.mjs ${COMPONENTS.join('|')} OUT_DIR`);
  process.exit(2);
}

const readManifest = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** Node's lookup: the nearest node_modules/<name> walking up from `fromDir`, as a real path. */
function resolvePackageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dir === dirname(dir)) throw new Error(`cannot resolve ${name} from ${fromDir}`);
  }
}

const staged = new Map(); // real dir -> manifest
function visit(dir) {
  if (staged.has(dir)) return;
  const manifest = readManifest(dir);
  staged.set(dir, manifest);
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
    let depDir;
    try {
      depDir = resolvePackageDir(name, dir);
    } catch (error) {
      if (manifest.optionalDependencies?.[name]) continue; // optional and absent on this platform
      throw error;
    }
    visit(depDir);
  }
}

visit(join(ROOT, 'packages', component));
rmSync(outDir, { recursive: true, force: true });
for (const [dir, manifest] of staged) {
  const rel = relative(ROOT, dir);
  if (rel.startsWith('..')) throw new Error(`${manifest.name} resolves outside the repository: ${dir}`);
  const target = join(outDir, rel);
  if (rel.startsWith(`packages${sep}`)) {
    // A workspace package: only what it publishes.
    mkdirSync(target, { recursive: true });
    cpSync(join(dir, 'package.json'), join(target, 'package.json'));
    for (const entry of manifest.files ?? ['dist']) {
      if (existsSync(join(dir, entry))) cpSync(join(dir, entry), join(target, entry), { recursive: true });
    }
    const link = join(outDir, 'node_modules', manifest.name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), target), link);
  } else {
    // An npm package: all of it but its own node_modules, whose members are staged as dependencies.
    cpSync(dir, target, {
      recursive: true,
      filter: (source) => !relative(dir, source).split(sep).includes('node_modules'),
    });
  }
}
// The list of staged package directories (relative to the repository), for the image test to compare
// with npm's own view of the production dependency tree.
const listing = [...staged.keys()].map((dir) => relative(ROOT, dir).split(sep).join('/')).sort();
writeFileSync(join(outDir, 'staged-packages.json'), JSON.stringify(listing, null, 2) + '\n');
console.log(`staged ${component}: ${staged.size} packages in ${outDir}`);
