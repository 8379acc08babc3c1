import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { PolicyRegistry } from '../src/policies/policy-registry.js';
import { FilePolicySource } from '../src/sources/file-policy-source.js';
import { basicServiceProtection } from './support/fixture-policy.js';
import { nextChange } from './support/registry-events.js';

describe('FilePolicySource (real files, real fs.watch)', () => {
  let dir: string;
  let registry: PolicyRegistry;
  let source: FilePolicySource;
  let path: string;
  const logs: string[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-policies-'));
    path = join(dir, 'protection.yaml');
    writeFileSync(path, stringify(basicServiceProtection()));
    writeFileSync(join(dir, 'README.md'), 'not a policy');
    registry = new PolicyRegistry();
    source = new FilePolicySource({ dir, registry, log: (message) => logs.push(message) });
    source.start();
  });

  after(() => {
    source.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let firstHash: string | undefined;

  it('loads the directory on start, ignoring files that are not YAML or JSON', () => {
    assert.deepEqual(
      registry.entries().map((entry) => [entry.sourceKey, entry.status]),
      [[path, 'Valid']],
    );
    firstHash = registry.get(path)?.hash;
    assert.match(firstHash ?? '', /^[0-9a-f]{32}$/);
  });

  it('reports a misspelled field as Invalid with its path while the last good version keeps running', async () => {
    const broken = basicServiceProtection();
    broken.spec.loadSchedulers[0].averageLatency.signalWindoww = '5s';
    const changed = nextChange(
      registry,
      (change) => change.entry.sourceKey === path && change.kind === 'invalid',
    );
    writeFileSync(path, stringify(broken));
    const { entry } = await changed;
    assert.equal(entry.status, 'Invalid');
    assert.equal(
      entry.message.split('\n')[0],
      'spec.loadSchedulers[0].averageLatency.signalWindoww: "5s" is not allowed; unknown field (did you mean "signalWindow"?)',
    );
    assert.equal(entry.running?.policyHash, firstHash);
    assert.deepEqual(
      registry.running().map((policy) => policy.policyHash),
      [firstHash],
    );
  });

  it('names line and column of a YAML syntax error', async () => {
    const changed = nextChange(
      registry,
      (change) =>
        change.entry.sourceKey === path && change.entry.issues[0]?.path.startsWith('(line') === true,
    );
    writeFileSync(path, 'apiVersion: sluice.dev/v1alpha1\nkind: [FlowPolicy\n');
    const { entry } = await changed;
    assert.match(entry.message, /^\(line \d+, column \d+\): .* is not allowed; valid YAML: /);
    assert.equal(entry.running?.policyHash, firstHash);
  });

  it('rejects two policies in one file rather than ignoring the second', async () => {
    const changed = nextChange(
      registry,
      (change) => change.entry.sourceKey === path && change.entry.message.includes('documents'),
    );
    writeFileSync(path, `${stringify(basicServiceProtection())}---\n${stringify(basicServiceProtection())}`);
    const { entry } = await changed;
    assert.equal(entry.issues[0]?.allowed, 'exactly one FlowPolicy document per file');
  });

  it('hot-reloads a fixed file with a new hash', async () => {
    const fixed = basicServiceProtection();
    fixed.spec.loadSchedulers[0].workloads[0].priority = 60;
    const changed = nextChange(
      registry,
      (change) => change.entry.sourceKey === path && change.kind === 'applied',
    );
    writeFileSync(path, stringify(fixed));
    const { entry } = await changed;
    assert.equal(entry.status, 'Valid');
    assert.notEqual(entry.hash, firstHash);
    assert.equal(entry.running?.policyHash, entry.hash);
  });

  it('removes the policy when its file is deleted', async () => {
    const changed = nextChange(
      registry,
      (change) => change.entry.sourceKey === path && change.kind === 'removed',
    );
    unlinkSync(path);
    await changed;
    assert.deepEqual(registry.running(), []);
    assert.ok(logs.some((line) => line.endsWith('removed; its policy no longer runs')));
  });
});
