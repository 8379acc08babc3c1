/**
 * What `sluicectl` loads: the built executable validates a policy in a fresh process while a resolve
 * hook records every module Node resolves (`resolvedModules` from @sluice/testkit). Policy compilation
 * comes from @sluice/spec, so neither the controller nor its Kubernetes client, prom-client or gRPC
 * may appear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolvedModules } from '@sluice/testkit';
import { tempDir } from './cli-support.js';

const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));
const MAIN = new URL('../dist/main.js', import.meta.url).href;

/** Names of the npm packages among `urls` (`@scope/name` or `name`), sorted, each once. */
function packagesOf(urls: readonly string[]): string[] {
  const names = new Set<string>();
  for (const url of urls) {
    const at = url.lastIndexOf('/node_modules/');
    if (at < 0) continue;
    const [first = '', second = ''] = url.slice(at + '/node_modules/'.length).split('/');
    names.add(first.startsWith('@') ? `${first}/${second}` : first);
  }
  return [...names].sort();
}

test('policy validate runs without the controller, the Kubernetes client, prom-client or gRPC', async () => {
  const file = join(tempDir(), 'protect.yaml');
  writeFileSync(
    file,
    'apiVersion: sluice.dev/v1alpha1\nkind: FlowPolicy\nmetadata: {name: protect}\nspec:\n  loadSchedulers:\n    - name: protect\n      selectors: [{controlPoint: ingress}]\n',
  );
  const argv = JSON.stringify(['sluicectl', 'policy', 'validate', file]);
  const run = await resolvedModules({
    cwd: CLI_DIR,
    steps: [
      { name: 'validate', code: `process.argv = [process.argv[0], ...${argv}]; await import('${MAIN}');` },
    ],
  });
  assert.match(run.stdout, /protect\.yaml {2}protect {2}Valid {3}[0-9a-f]{12}\n/);
  const urls = run.byStep.get('validate') ?? [];
  // The probe sees what the CLI does load: our packages by path, npm packages under node_modules.
  for (const entry of [
    '/packages/cli/dist/main.js',
    '/packages/spec/dist/index.js',
    '/packages/manifests/dist/index.js',
  ])
    assert.ok(
      urls.some((url) => url.endsWith(entry)),
      `${entry} resolved`,
    );
  assert.ok(packagesOf(urls).includes('cdk8s'));
  assert.deepEqual(
    urls.filter((url) => url.includes('/packages/controller/')),
    [],
  );
  assert.deepEqual(
    packagesOf(urls).filter((name) =>
      /^(@grpc\/|@kubernetes\/|prom-client$|protobufjs$|@sluice\/controller$)/.test(name),
    ),
    [],
  );
});
