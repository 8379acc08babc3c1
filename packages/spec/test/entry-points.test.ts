/**
 * The package's two entry points as a consumer imports them (by name, through `exports`, from the
 * built `dist`; turbo builds before testing): which packages each one makes Node resolve. A resolve
 * hook in a fresh process records every module (`resolvedModules` from @sluice/testkit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { resolvedModules } from '@sluice/testkit';

const SPEC_DIR = fileURLToPath(new URL('..', import.meta.url));

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

test('@sluice/spec loads zod and yaml only; protos load gRPC, and grpc-js-xds only on first use', async () => {
  const { byStep } = await resolvedModules({
    cwd: SPEC_DIR,
    steps: [
      { name: 'import @sluice/spec', code: `await import('@sluice/spec');` },
      { name: 'import protos', code: `globalThis.protos = await import('@sluice/spec/protos');` },
      { name: 'first use', code: `globalThis.protos.authorizationService();` },
    ],
  });
  const main = byStep.get('import @sluice/spec') ?? [];
  assert.ok(
    main.some((url) => url.endsWith('/packages/spec/dist/index.js')),
    'the bare name resolved to the built entry',
  );
  assert.deepEqual(packagesOf(main), ['yaml', 'zod']);

  const protos = byStep.get('import protos') ?? [];
  assert.ok(protos.some((url) => url.endsWith('/packages/spec/dist/protos.js')));
  // The probe sees package imports: gRPC is there, and grpc-js-xds is not.
  assert.deepEqual(packagesOf(protos), ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs']);

  assert.deepEqual(packagesOf(byStep.get('first use') ?? []), ['@grpc/grpc-js-xds']);
});
