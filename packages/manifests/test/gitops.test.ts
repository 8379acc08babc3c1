import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmBinaries, kubectlBinary } from '@sluice/testkit';
import { parse, parseAllDocuments } from 'yaml';
import { generatedCharts } from '../src/chart/chart-writer.js';
import {
  gitOpsFiles,
  SluiceConfigSchema,
  synthesizeConfig,
  writeGitOpsFiles,
  type GitOpsFiles,
} from '../src/index.js';
import { closedModelErrors, runtimeModelErrors } from './support/closed-models.js';

const REPO = 'https://git.example.com/platform.git';
const config = SluiceConfigSchema.parse({
  policies: [
    {
      apiVersion: 'sluice.dev/v1alpha1',
      kind: 'FlowPolicy',
      metadata: { name: 'protect' },
      spec: { loadSchedulers: [{ name: 'protect', selectors: [{ controlPoint: 'ingress' }] }] },
    },
  ],
});
const components = synthesizeConfig(config);
const plain = gitOpsFiles(components, {
  mode: 'plain',
  repoPath: 'clusters/prod/sluice',
  argocd: REPO,
  flux: REPO,
});
const helm = gitOpsFiles(
  components,
  { mode: 'helm', repoPath: 'clusters/prod/sluice', argocd: REPO, flux: REPO },
  generatedCharts(),
);

const doc = (files: GitOpsFiles, path: string) => {
  const text = files.get(path);
  assert.ok(text !== undefined, `${path} was not written; have ${[...files.keys()].join(', ')}`);
  return parse(text) as any;
};

test('components and their sync waves: CRDs, then sluice, then istioconfig and policies', () => {
  assert.deepEqual(
    components.map((component) => [component.name, component.wave, component.hasCrds]),
    [
      ['sluice-crds', 0, true],
      ['sluice', 1, false],
      ['istioconfig', 2, false],
      ['policies', 2, false],
    ],
  );
  assert.equal(
    components.find((c) => c.name === 'policies')?.objects[0]?.metadata.namespace,
    'sluice-system',
  );
});

test('Argo CD Applications carry the waves and the options a CRD upgrade and a first sync need', () => {
  const waves = ['sluice-crds', 'sluice', 'sluice-istioconfig', 'sluice-policies'].map(
    (name) => doc(plain, `argocd/${name}.yaml`).metadata.annotations['argocd.argoproj.io/sync-wave'],
  );
  assert.deepEqual(waves, ['0', '1', '2', '2']);
  assert.ok(
    doc(plain, 'argocd/sluice-crds.yaml').spec.syncPolicy.syncOptions.includes('ServerSideApply=true'),
  );
  assert.ok(
    doc(plain, 'argocd/sluice-policies.yaml').spec.syncPolicy.syncOptions.includes(
      'SkipDryRunOnMissingResource=true',
    ),
  );
  assert.equal(doc(plain, 'argocd/sluice.yaml').spec.source.path, 'clusters/prod/sluice/sluice');
  const helmSource = doc(helm, 'argocd/sluice.yaml').spec.source;
  assert.equal(helmSource.path, 'clusters/prod/sluice/charts/sluice');
  assert.equal(helmSource.helm.releaseName, 'sluice');
  assert.deepEqual(doc(plain, 'argocd/kustomization.yaml').resources, [
    'sluice-crds.yaml',
    'sluice.yaml',
    'sluice-istioconfig.yaml',
    'sluice-policies.yaml',
  ]);
});

test('Flux Kustomizations depend on the previous wave and wait; HelmReleases replace CRDs on upgrade', () => {
  const dependsOn = (files: GitOpsFiles, name: string) =>
    (doc(files, `flux/${name}.yaml`).spec.dependsOn ?? []).map((d: { name: string }) => d.name);
  for (const files of [plain, helm]) {
    assert.deepEqual(dependsOn(files, 'sluice-crds'), []);
    assert.deepEqual(dependsOn(files, 'sluice'), ['sluice-crds']);
    assert.deepEqual(dependsOn(files, 'sluice-istioconfig'), ['sluice']);
    assert.deepEqual(dependsOn(files, 'sluice-policies'), ['sluice']);
    assert.equal(doc(files, 'flux/sluice.yaml').spec.wait, true);
  }
  assert.equal(doc(plain, 'flux/sluice.yaml').spec.path, './clusters/prod/sluice/sluice');
  assert.equal(doc(helm, 'flux/sluice.yaml').spec.path, './clusters/prod/sluice/flux/releases/sluice');
  const release = doc(helm, 'flux/releases/sluice-crds/helmrelease.yaml');
  assert.equal(release.apiVersion, 'helm.toolkit.fluxcd.io/v2');
  assert.deepEqual(
    [release.spec.install.crds, release.spec.upgrade.crds],
    ['CreateReplace', 'CreateReplace'],
  );
  assert.equal(release.spec.chart.spec.chart, './clusters/prod/sluice/charts/sluice-crds');
  // Policies have no chart: plain YAML in both modes.
  assert.equal(doc(helm, 'flux/sluice-policies.yaml').spec.path, './clusters/prod/sluice/policies');
});

test('every Argo CD and Flux object validates closed against @kubernetes-models', async () => {
  const objects = [...plain, ...helm]
    .filter(([path]) => /^(argocd|flux)\//.test(path) && !path.endsWith('kustomization.yaml'))
    .map(([, text]) => parse(text) as { apiVersion: string; kind: string });
  assert.ok(objects.length >= 14);
  assert.deepEqual(closedModelErrors(objects), []);
  assert.deepEqual(await runtimeModelErrors(objects), []);
  const typo = structuredClone(doc(plain, 'argocd/sluice.yaml'));
  typo.spec.syncPolicy.automated.prunee = true;
  const fluxTypo = structuredClone(doc(helm, 'flux/releases/sluice/helmrelease.yaml'));
  fluxTypo.spec.instal = fluxTypo.spec.install;
  delete fluxTypo.spec.install;
  const errors = closedModelErrors([typo, fluxTypo]);
  assert.equal(errors.length, 2, errors.join('\n'));
  assert.match(errors[0] ?? '', /prunee/);
  assert.match(errors[1] ?? '', /instal/);
});

test('output is byte-identical across runs', () => {
  const again = gitOpsFiles(synthesizeConfig(config), {
    mode: 'plain',
    repoPath: 'clusters/prod/sluice',
    argocd: REPO,
    flux: REPO,
  });
  assert.deepEqual([...again], [...plain]);
});

test('real kubectl kustomize builds every folder; plain output equals the synthesised objects', () => {
  const directory = mkdtempSync(join(tmpdir(), 'sluice-gitops-'));
  writeGitOpsFiles(directory, plain);
  const kubectl = kubectlBinary();
  for (const folder of ['sluice-crds', 'sluice', 'istioconfig', 'policies', 'argocd', 'flux']) {
    const built = execFileSync(kubectl, ['kustomize', join(directory, folder)], { encoding: 'utf8' });
    const objects = parseAllDocuments(built).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    const component = components.find((c) => c.name === folder);
    if (component !== undefined) {
      const key = (o: { kind: string; metadata: { name: string; namespace?: string } }) =>
        `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      const expected = new Map(component.objects.map((o) => [key(o), o]));
      assert.equal(objects.length, expected.size, folder);
      for (const object of objects)
        assert.deepEqual(
          object,
          JSON.parse(JSON.stringify(expected.get(key(object as never)))),
          `${folder}: ${key(object as never)}`,
        );
    } else {
      assert.ok(objects.length >= 4, `${folder} built ${objects.length} objects`);
    }
  }
});

test('helm-mode folders build with kustomize inflating the vendored charts through real Helm', () => {
  const directory = mkdtempSync(join(tmpdir(), 'sluice-gitops-helm-'));
  writeGitOpsFiles(directory, helm);
  // kustomize asks `helm version -c`, a flag Helm 4 dropped, so inflation uses Helm 3.
  const helm3 = helmBinaries().find((binary) => binary.major === 3)?.path ?? '';
  const built = execFileSync(
    kubectlBinary(),
    ['kustomize', '--enable-helm', '--helm-command', helm3, join(directory, 'sluice')],
    { encoding: 'utf8' },
  );
  const kinds = parseAllDocuments(built)
    .map((d) => (d.toJS() as { kind: string }).kind)
    .sort();
  assert.deepEqual(
    kinds,
    [...(components.find((c) => c.name === 'sluice')?.objects ?? [])].map((o) => o.kind).sort(),
  );
  assert.match(readFileSync(join(directory, 'charts', 'sluice', 'Chart.yaml'), 'utf8'), /^name: sluice$/m);
});
