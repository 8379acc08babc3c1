import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { sluicectl, tempDir } from './cli-support.js';

test('install istioconfig --dry-run prints the EnvoyFilter for the namespace', async () => {
  const run = await sluicectl(['install', 'istioconfig', '--namespace', 'istio-system', '--dry-run']);
  assert.equal(run.code, 0, run.stderr);
  const objects = parseAllDocuments(run.stdout).map((d) => d.toJS() as any);
  const filter = objects.find((o) => o.kind === 'EnvoyFilter');
  assert.equal(filter?.metadata.namespace, 'istio-system');
  assert.equal(filter?.spec.configPatches.length, 4);
  assert.match(JSON.stringify(filter), /sluice-agent\.sluice-system\.svc\.cluster\.local:8080/);
});

test('install istioconfig --mesh-config prints the providers mode extensionProvider waits for', async () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'values.yaml'),
    'mode: extensionProvider\nworkloadSelector: {labels: {app: shop}}\n',
  );
  const refused = await sluicectl(
    ['install', 'istioconfig', '--namespace', 'istio-system', '--values-file', 'values.yaml', '--dry-run'],
    { cwd: dir },
  );
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /extensionProvider\.meshConfigReady: .*--mesh-config/);
  const run = await sluicectl(
    [
      'install',
      'istioconfig',
      '--namespace',
      'istio-system',
      '--values-file',
      'values.yaml',
      '--mesh-config',
    ],
    { cwd: dir },
  );
  assert.equal(run.code, 0, run.stderr);
  const printed = parseAllDocuments(run.stdout)[0]?.toJS() as any;
  assert.deepEqual(
    printed.meshConfig.extensionProviders.map((p: any) => [p.name, Object.keys(p).sort()]),
    [
      ['sluice-ext-authz', ['envoyExtAuthzGrpc', 'name']],
      ['sluice-access-log', ['envoyOtelAls', 'name']],
    ],
  );
  assert.equal(
    printed.meshConfig.extensionProviders[0].envoyExtAuthzGrpc.service,
    'sluice-agent.sluice-system.svc.cluster.local',
  );
  assert.equal(
    printed.meshConfig.extensionProviders[0].envoyExtAuthzGrpc.includeRequestBodyInCheck,
    undefined,
  );
});

test('bad values are refused before anything is applied', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'values.yaml'), 'agent: {prot: 9090}\n');
  const run = await sluicectl(
    ['install', 'istioconfig', '--namespace', 'istio-system', '--values-file', 'values.yaml'],
    { cwd: dir },
  );
  assert.equal(run.code, 2);
  assert.match(run.stderr, /agent\.prot: 9090 is not allowed; unknown field/);
});

test('without kubectl on PATH it fails clearly (exit 1)', async () => {
  const run = await sluicectl(['install', 'istioconfig', '--namespace', 'istio-system'], {
    env: { PATH: tempDir() },
  });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /kubectl was not found on PATH: install it, or use --dry-run/);
});

// No API server can run here, so kubectl is a recording stand-in: it must receive exactly what --dry-run prints.
test('it pipes the rendered manifests to kubectl apply -f -', async () => {
  const bin = tempDir();
  const record = join(bin, 'stdin.yaml');
  writeFileSync(
    join(bin, 'kubectl'),
    `#!/bin/sh\n[ "$1 $2 $3" = "apply -f -" ] || exit 3\ncat > ${record}\necho "envoyfilter configured"\n`,
  );
  chmodSync(join(bin, 'kubectl'), 0o755);
  const applied = await sluicectl(['install', 'istioconfig', '--namespace', 'istio-system'], {
    env: { PATH: `${bin}:/usr/bin:/bin` },
  });
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /envoyfilter configured/);
  const dry = await sluicectl(['install', 'istioconfig', '--namespace', 'istio-system', '--dry-run']);
  assert.equal(readFileSync(record, 'utf8'), dry.stdout);
});

test('install --dry-run -o json prints a v1 List of the same objects; values can come from stdin', async () => {
  const yaml = await sluicectl(['install', 'istioconfig', '--namespace', 'istio-system', '--dry-run']);
  const json = await sluicectl([
    'install',
    'istioconfig',
    '--namespace',
    'istio-system',
    '--dry-run',
    '-o',
    'json',
  ]);
  assert.equal(json.code, 0, json.stderr);
  const list = JSON.parse(json.stdout) as { apiVersion: string; kind: string; items: unknown[] };
  assert.equal(list.apiVersion, 'v1');
  assert.equal(list.kind, 'List');
  assert.deepEqual(
    list.items,
    parseAllDocuments(yaml.stdout).map((d) => d.toJS() as unknown),
  );
  const notDry = await sluicectl(['install', 'istioconfig', '--namespace', 'istio-system', '-o', 'json']);
  assert.equal(notDry.code, 2);
  assert.match(notDry.stderr, /-o\/--output applies to --dry-run only/);
  const stdin = await sluicectl(
    ['install', 'istioconfig', '--namespace', 'istio-system', '--dry-run', '--values-file', '-'],
    { stdin: 'agent: {prot: 9090}\n' },
  );
  assert.equal(stdin.code, 2);
  assert.match(stdin.stderr, /<stdin> is invalid:\n\s+- agent\.prot: 9090 is not allowed; unknown field/);
});
