import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseFlowPolicy } from '@sluice/spec';
import { sluicectl, tempDir } from './cli-support.js';

test('blueprints list prints a table with both blueprints', async () => {
  const run = await sluicectl(['blueprints', 'list']);
  assert.equal(run.code, 0);
  const lines = run.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^NAME\s+SUMMARY$/);
  assert.deepEqual(
    lines.slice(1).map((line) => line.split(/\s{2,}/)[0]),
    ['load-scheduling/average-latency', 'rate-limiting/base'],
  );
});

test('blueprints values writes a commented file that generates a valid FlowPolicy unchanged', async () => {
  for (const name of ['load-scheduling/average-latency', 'rate-limiting/base']) {
    const dir = tempDir();
    const values = join(dir, 'values.yaml');
    assert.equal(
      (await sluicectl(['blueprints', 'values', '--name', name, '--output-file', values])).code,
      0,
    );
    const text = readFileSync(values, 'utf8');
    assert.match(text, /# Name of the generated FlowPolicy\. \(required\)\n\s+policyName:/);
    assert.match(text, /\(default: /);
    const generated = await sluicectl([
      'blueprints',
      'generate',
      '--name',
      name,
      '--values-file',
      values,
      '--output-dir',
      dir,
    ]);
    assert.equal(generated.code, 0, generated.stderr);
    const policyFile = generated.stdout.replace(/^wrote /, '').trim();
    const policy = parseFlowPolicy(parse(readFileSync(policyFile, 'utf8')));
    assert.ok(policy.ok, JSON.stringify(policy));
  }
});

test('blueprints generate converts an Aperture values file', async () => {
  const dir = tempDir();
  const values = join(dir, 'aperture.yaml');
  writeFileSync(
    values,
    [
      'policy:',
      '  policy_name: basic-service-protection',
      '  load_scheduling_core:',
      '    aimd_load_scheduler:',
      '      load_scheduler:',
      '        selectors: [{control_point: ingress, service: service1-demo-app.demoapp.svc.cluster.local}]',
      '  latency_baseliner:',
      '    flux_meter:',
      '      selectors: [{control_point: ingress, service: service1-demo-app.demoapp.svc.cluster.local}]',
      '    latency_tolerance_multiplier: 1.1',
      '',
    ].join('\n'),
  );
  const run = await sluicectl([
    'blueprints',
    'generate',
    '--name',
    'load-scheduling/average-latency',
    '--values-file',
    values,
    '--output-dir',
    dir,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const policy = parse(readFileSync(join(dir, 'policies', 'basic-service-protection.yaml'), 'utf8'));
  assert.equal(policy.kind, 'FlowPolicy');
  assert.equal(policy.spec.loadSchedulers[0].averageLatency.latencyToleranceMultiplier, 1.1);
});

test('bad values exit 2 naming the path, value and what is allowed', async () => {
  const dir = tempDir();
  const values = join(dir, 'values.yaml');
  writeFileSync(
    values,
    'policy:\n  policyName: x\n  rateLimiter:\n    name: r\n    selectors: [{controlPoint: ingress}]\n    bucketCapacity: -1\n    fillAmount: 1\n    backnd: redis\n',
  );
  const run = await sluicectl([
    'blueprints',
    'generate',
    '--name',
    'rate-limiting/base',
    '--values-file',
    values,
    '--output-dir',
    dir,
  ]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /policy\.rateLimiter\.bucketCapacity: -1 is not allowed; must be > 0/);
  assert.match(run.stderr, /policy\.rateLimiter\.backnd: "redis" is not allowed; unknown field/);
});

test('an unknown blueprint and a missing file are bad input', async () => {
  const unknown = await sluicectl([
    'blueprints',
    'values',
    '--name',
    'load-scheduling/promql',
    '--output-file',
    '/tmp/x',
  ]);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /--name: "load-scheduling\/promql" is not allowed; an Aperture blueprint Sluice does not support; supported: load-scheduling\/average-latency, rate-limiting\/base/,
  );
  const missing = await sluicectl([
    'blueprints',
    'generate',
    '--name',
    'rate-limiting/base',
    '--values-file',
    '/nonexistent.yaml',
    '--output-dir',
    tempDir(),
  ]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /\/nonexistent\.yaml: cannot read \(ENOENT\)/);
});

test('blueprints values prints to stdout without --output-file; -o json prints the example values', async () => {
  const name = 'rate-limiting/base';
  const dir = tempDir();
  const file = join(dir, 'values.yaml');
  const written = await sluicectl(['blueprints', 'values', '--name', name, '--output-file', file]);
  assert.equal(written.stdout, `wrote ${file}\n`);
  const printed = await sluicectl(['blueprints', 'values', '--name', name]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stdout, readFileSync(file, 'utf8'));
  const json = await sluicectl(['blueprints', 'values', '--name', name, '-o', 'json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), parse(printed.stdout));
});

test('blueprints generate prints the policy to stdout (yaml or json) and reads values from stdin', async () => {
  const name = 'rate-limiting/base';
  const values = (await sluicectl(['blueprints', 'values', '--name', name])).stdout;
  const yaml = await sluicectl(['blueprints', 'generate', '--name', name, '--values-file', '-'], {
    stdin: values,
  });
  assert.equal(yaml.code, 0, yaml.stderr);
  assert.match(
    yaml.stdout,
    /^# Generated by sluicectl blueprints generate --name rate-limiting\/base from <stdin>\n/,
  );
  const policy = parseFlowPolicy(parse(yaml.stdout));
  assert.ok(policy.ok, JSON.stringify(policy));
  const json = await sluicectl(
    ['blueprints', 'generate', '--name', name, '--values-file', '-', '-o', 'json'],
    {
      stdin: values,
    },
  );
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), parse(yaml.stdout));
  const dir = tempDir();
  const file = join(dir, 'policies', 'per-user-limit.yaml');
  const written = await sluicectl(
    ['blueprints', 'generate', '--name', name, '--values-file', '-', '--output-dir', dir],
    {
      stdin: values,
    },
  );
  assert.equal(written.stdout, `wrote ${file}\n`);
  assert.equal(readFileSync(file, 'utf8'), yaml.stdout);
});

test('a misspelt blueprint gets a did-you-mean; a YAML error in values is file:line:col', async () => {
  const typo = await sluicectl(['blueprints', 'values', '--name', 'rate-limiting/bse']);
  assert.equal(typo.code, 2);
  assert.match(
    typo.stderr,
    /"rate-limiting\/bse" is not allowed; not a blueprint Sluice or Aperture knows \(did you mean "rate-limiting\/base"\?\); supported:/,
  );
  const dir = tempDir();
  writeFileSync(join(dir, 'values.yaml'), 'policy:\n  policyName: a\n  policyName: b\n');
  const dup = await sluicectl(
    ['blueprints', 'generate', '--name', 'rate-limiting/base', '--values-file', 'values.yaml'],
    {
      cwd: dir,
    },
  );
  assert.equal(dup.code, 2);
  assert.equal(
    dup.stderr,
    'sluicectl blueprints generate: values.yaml:3:3: YAML syntax error: Map keys must be unique\n',
  );
});
