import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  gitOpsFiles,
  GitOpsInputError,
  writeGitOpsFiles,
  type GitOpsComponent,
  type KubernetesObject,
} from '../src/index.js';

const object = (metadata: KubernetesObject['metadata'], kind = 'FlowPolicy'): KubernetesObject => ({
  apiVersion: 'sluice.dev/v1alpha1',
  kind,
  metadata,
});

const component = (name: string, objects: KubernetesObject[]): GitOpsComponent => ({
  name,
  role: 'configuration',
  wave: 3,
  namespace: 'sluice-system',
  objects,
  hasCrds: false,
});

const refused = (components: GitOpsComponent[], message: RegExp) =>
  assert.throws(
    () =>
      gitOpsFiles(components, { mode: 'plain', repoPath: 'deploy', argocd: 'https://git.example.com/r.git' }),
    (error: unknown) => error instanceof GitOpsInputError && message.test(error.message),
  );

test('object names, namespaces and kinds are Kubernetes names before they become file names', () => {
  refused(
    [component('policies', [object({ name: 'p', namespace: 'x/../../escaped' })])],
    /metadata\.namespace: "x\/\.\.\/\.\.\/escaped" is not allowed/,
  );
  refused(
    [component('policies', [object({ name: 'a/b' })])],
    /metadata\.name: "a\/b" is not allowed; use a DNS subdomain/,
  );
  refused([component('policies', [object({ name: 'p' }, '../Kind')])], /kind: "\.\.\/Kind" is not allowed/);
  refused(
    [component('policies', [object({ name: 'p', namespace: 'a'.repeat(64) })])],
    /metadata\.namespace: "a{64}" is not allowed/,
  );
  refused(
    [component('policies', [object({ name: `${'a'.repeat(250)}.com` })])],
    /metadata\.name: "a{80}…" is not allowed/,
  );
  refused(
    [component('..', [object({ name: 'p' })])],
    /component "\.\.": name: "\.\." is not allowed; use a DNS label/,
  );
  refused([component('Policies', [object({ name: 'p' })])], /component "Policies": name/);
  // The longest valid names pass: a 63-character namespace, a 253-character dotted name.
  const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  assert.equal(longest.length, 253);
  const files = gitOpsFiles([component('policies', [object({ name: longest, namespace: 'n'.repeat(63) })])], {
    mode: 'plain',
    repoPath: 'deploy',
  });
  assert.ok(files.has(`policies/flowpolicy-${longest}.${'n'.repeat(63)}.yaml`));
});

test('the writer refuses a path outside the output folder before removing or writing anything', () => {
  const directory = mkdtempSync(join(tmpdir(), 'sluice-gitops-'));
  const out = join(directory, 'out');
  for (const path of ['../escaped.yaml', 'a/../../escaped.yaml', '/etc/escaped.yaml', '.', 'a/..'])
    assert.throws(
      () =>
        writeGitOpsFiles(
          out,
          new Map([
            ['good/kustomization.yaml', 'x'],
            [path, 'x'],
          ]),
        ),
      (error: unknown) =>
        error instanceof GitOpsInputError && /resolves outside the output folder/.test(error.message),
      path,
    );
  assert.deepEqual(readdirSync(directory), []);
  assert.equal(existsSync(join(directory, 'escaped.yaml')), false);
  writeGitOpsFiles(out, new Map([['good/kustomization.yaml', 'x']]));
  assert.deepEqual(readdirSync(out), ['good']);
});
