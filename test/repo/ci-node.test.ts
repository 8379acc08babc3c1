// CI runs the suite on the Node line the packages require: .ci/run sources .ci/node.sh before it
// installs anything, and node.sh asks for the major version `engines` names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

test('every package requires Node >=22 and .ci/node.sh provides that major', () => {
  const manifests = ['package.json', 'test/package.json', 'bench/package.json'].concat(
    readdirSync(join(ROOT, 'packages')).map((name) => `packages/${name}/package.json`),
  );
  for (const path of manifests) {
    const manifest = JSON.parse(read(path)) as { engines?: { node?: string } };
    assert.equal(manifest.engines?.node, '>=22', `${path} engines.node`);
  }
  assert.match(read('.ci/node.sh'), /^SLUICE_NODE_MAJOR=22$/m);
});

test('.ci/run sources .ci/node.sh before npm ci and npm test', () => {
  const lines = read('.ci/run').split('\n');
  const source = lines.indexOf('source .ci/node.sh');
  const install = lines.indexOf('npm ci --no-audit --no-fund');
  assert.ok(source >= 0, '.ci/run does not source .ci/node.sh');
  assert.ok(install > source, '.ci/node.sh must run before npm ci');
});

test('.ci/node.sh leaves a node of 22 or later alone, and otherwise provides 22', () => {
  const syntax = spawnSync('bash', ['-n', join(ROOT, '.ci', 'node.sh')], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
  // Run on its own, node.sh prints the node it would put first on PATH. On an older node this fetches
  // node-linux-<arch>@22 from the npm registry once (about 51 MB) into the cache .ci/run also uses.
  const run = spawnSync('bash', [join(ROOT, '.ci', 'node.sh')], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const chosen = /^ci: (\S+) v(\d+)\.\d+\.\d+$/m.exec(run.stdout);
  assert.ok(chosen, run.stdout);
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) {
    assert.doesNotMatch(run.stdout, /fetching/);
    assert.equal(chosen[2], String(major));
  } else {
    assert.equal(chosen[2], '22');
    const binary = spawnSync(chosen[1] ?? '', ['--version'], { encoding: 'utf8' });
    assert.match(binary.stdout, /^v22\./);
  }
});
