import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { parseFlowPolicy } from '@sluice/spec';
import { sluicectl, tempDir } from './cli-support.js';

/**
 * Aperture's own files, collected in @sluice/spec (its fixtures README names their sources), found through
 * the package's resolved entry (dist/index.js) rather than a path across workspaces.
 */
const SPEC_ENTRY = import.meta.resolve('@sluice/spec');
const aperture = (path: string): string =>
  fileURLToPath(new URL(`../test/fixtures/aperture/${path}`, SPEC_ENTRY));

test('migrate aperture-policy prints the FlowPolicy of a generated rate-limit CR, warnings on stderr', async () => {
  const run = await sluicectl(['migrate', 'aperture-policy', aperture('policies/rate-limiting.yaml')]);
  assert.equal(run.code, 0, run.stderr);
  const policy = parseFlowPolicy(parse(run.stdout));
  assert.ok(policy.ok, JSON.stringify(policy));
  const limiter = policy.value.spec.rateLimiters[0];
  assert.equal(policy.value.metadata.name, 'rate-limiting');
  assert.equal(limiter?.bucketCapacity, 40);
  assert.equal(limiter?.fillAmount, 2);
  assert.equal(limiter?.interval, '1s');
  assert.equal(limiter?.limitByLabelKey, 'http.request.header.user_id');
  assert.equal(limiter?.tokensLabelKey, 'http.request.header.tokens');
  assert.equal(limiter?.backend, 'redis');
  assert.match(
    run.stderr,
    /^warning: .*rate-limiting\.yaml: \(values\) policy\.rate_limiter\.alerter: ignored: Sluice sends no alerts/m,
  );
});

test('migrate aperture-policy --local keeps per-agent buckets and says so', async () => {
  const run = await sluicectl([
    'migrate',
    'aperture-policy',
    '--local',
    aperture('policies/rate-limiting.yaml'),
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(parse(run.stdout).spec.rateLimiters[0].backend, 'local');
  assert.match(run.stderr, /Aperture shares this limit across agents/);
});

test('migrate aperture-policy --output-dir writes DIR/policies/NAME.yaml for an average-latency CR', async () => {
  const dir = tempDir();
  const run = await sluicectl([
    'migrate',
    'aperture-policy',
    aperture('policies/workload-prioritization.yaml'),
    '--output-dir',
    dir,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const file = join(dir, 'policies', 'workload-prioritization.yaml');
  assert.equal(run.stdout, `wrote ${file}\n`);
  const policy = parseFlowPolicy(parse(readFileSync(file, 'utf8')));
  assert.ok(policy.ok);
  const scheduler = policy.value.spec.loadSchedulers[0];
  assert.equal(scheduler?.averageLatency.latencyToleranceMultiplier, 1.1);
  assert.deepEqual(
    scheduler?.workloads.map((workload) => [workload.name, workload.priority]),
    [
      ['guest', 50],
      ['subscriber', 200],
    ],
  );
  assert.match(run.stderr, /dry_run_config_key: ignored: Sluice has no dynamic configuration/);
});

test('migrate aperture-policy converts every item of a kubectl List, or none', async () => {
  const dir = tempDir();
  const list = join(dir, 'policies.yaml');
  const items = ['rate-limiting', 'basic-service-protection'].map((name) =>
    parse(readFileSync(aperture(`policies/${name}.yaml`), 'utf8')),
  );
  writeFileSync(list, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const run = await sluicectl(['migrate', 'aperture-policy', list]);
  assert.equal(run.code, 0, run.stderr);
  const names = parseAllDocuments(run.stdout).map((document) => document.toJS().metadata.name);
  assert.deepEqual(names, ['rate-limiting', 'basic-service-protection']);

  items.push(parse(readFileSync(aperture('policies/quota-scheduler.yaml'), 'utf8')));
  writeFileSync(list, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const refused = await sluicectl(['migrate', 'aperture-policy', list, '--output-dir', dir]);
  assert.equal(refused.code, 2);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /\(document 3\) is invalid/);
});

test('migrate aperture-policy names an unsupported blueprint and a hand-made circuit', async () => {
  const quota = await sluicectl(['migrate', 'aperture-policy', aperture('policies/quota-scheduler.yaml')]);
  assert.equal(quota.code, 2);
  assert.match(
    quota.stderr,
    /generated from Aperture's quota-scheduling\/base blueprint \(flow_control\.quota_scheduler\), which Sluice does not support; supported: load-scheduling\/average-latency, rate-limiting\/base/,
  );
  const custom = await sluicectl([
    'migrate',
    'aperture-policy',
    aperture('policies/java-service-protection.yaml'),
  ]);
  assert.equal(custom.code, 2);
  assert.match(
    custom.stderr,
    /spec\.circuit\.components\[0\.\.2\]: \["decider","switcher","flow_control\.rate_limiter"\] is not allowed; components added/,
  );
  const none = await sluicectl(['migrate', 'aperture-policy']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /name the FILE holding the Aperture Policy/);
});

test('blueprints generate takes an aperturectl values file without --name, checking it when given', async () => {
  const dir = tempDir();
  const values = aperture('values/basic-service-protection.yaml');
  const run = await sluicectl(['blueprints', 'generate', '--values-file', values, '--output-dir', dir]);
  assert.equal(run.code, 0, run.stderr);
  const text = readFileSync(join(dir, 'policies', 'basic-service-protection.yaml'), 'utf8');
  assert.match(
    text,
    /^# Generated by sluicectl blueprints generate --name load-scheduling\/average-latency from /,
  );
  assert.equal(parse(text).spec.loadSchedulers[0].averageLatency.latencyToleranceMultiplier, 1.1);
  assert.match(run.stderr, /workload_latency_based_tokens: not converted/);

  const mismatch = await sluicectl([
    'blueprints',
    'generate',
    '--name',
    'rate-limiting/base',
    '--values-file',
    values,
    '--output-dir',
    dir,
  ]);
  assert.equal(mismatch.code, 2);
  assert.match(
    mismatch.stderr,
    /blueprint: "load-scheduling\/average-latency" is not allowed; the file names blueprint "load-scheduling\/average-latency" but "rate-limiting\/base" was asked for; they must match/,
  );
});

test('blueprints generate turns an Aperture rate limit into a redis one, or local with --local', async () => {
  const dir = tempDir();
  const values = aperture('values/rate-limiting.yaml');
  const global = await sluicectl(['blueprints', 'generate', '--values-file', values, '--output-dir', dir]);
  assert.equal(global.code, 0, global.stderr);
  const file = join(dir, 'policies', 'rate-limiting.yaml');
  assert.equal(parse(readFileSync(file, 'utf8')).spec.rateLimiters[0].backend, 'redis');
  const local = await sluicectl([
    'blueprints',
    'generate',
    '--local',
    '--values-file',
    values,
    '--output-dir',
    dir,
  ]);
  assert.equal(local.code, 0, local.stderr);
  assert.equal(parse(readFileSync(file, 'utf8')).spec.rateLimiters[0].backend, 'local');
  assert.match(local.stderr, /every agent its own bucket/);
});

test('blueprints generate refuses an unsupported Aperture blueprint by name', async () => {
  const run = await sluicectl([
    'blueprints',
    'generate',
    '--values-file',
    aperture('values/quota-scheduler.yaml'),
    '--output-dir',
    tempDir(),
  ]);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /blueprint: "quota-scheduling\/base" is not allowed; an Aperture blueprint Sluice does not support/,
  );
});
