import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sluicectl, tempDir } from './cli-support.js';

const VALID = `apiVersion: sluice.dev/v1alpha1
kind: FlowPolicy
metadata: {name: protect}
spec:
  loadSchedulers:
    - name: protect
      selectors: [{controlPoint: ingress}]
`;

test('a valid policy file exits 0', async () => {
  const file = join(tempDir(), 'protect.yaml');
  writeFileSync(file, VALID);
  const run = await sluicectl(['policy', 'validate', file]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /FlowPolicy protect is valid \(hash [0-9a-f]{32}\)/);
});

test('an invalid policy exits 2 with path-precise errors', async () => {
  const file = join(tempDir(), 'bad.yaml');
  writeFileSync(
    file,
    VALID.replace(
      'name: protect\n      selectors',
      'name: protect\n      dryRun: sometimes\n      selectors',
    ),
  );
  const run = await sluicectl(['policy', 'validate', file]);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /bad\.yaml is invalid:\n\s+- spec\.loadSchedulers\[0\]\.dryRun: "sometimes" is not allowed; expected boolean/,
  );
});

test('two policies in one file are refused, as the controller refuses them', async () => {
  const file = join(tempDir(), 'two.yaml');
  writeFileSync(file, `${VALID}---\n${VALID}`);
  const run = await sluicectl(['policy', 'validate', file]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /exactly one FlowPolicy document per file/);
});

test('broken YAML and no file are bad input', async () => {
  const file = join(tempDir(), 'broken.yaml');
  writeFileSync(file, 'spec: [unclosed\n');
  const broken = await sluicectl(['policy', 'validate', file]);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /\(line 2, column 1\).*valid YAML/);
  assert.equal((await sluicectl(['policy', 'validate'])).code, 2);
});
