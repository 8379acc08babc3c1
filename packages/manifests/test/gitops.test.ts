import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmBinaries, kubectlBinary } from '@sluice/testkit';
import { parse, parseAllDocuments } from 'yaml';
import { generatedCharts } from '../src/chart/chart-writer.js';
import { App, Chart } from 'cdk8s';
import {
  componentsOfApp,
  gitOpsFiles,
  IstioConfig,
  namespacesComponent,
  SluiceConfigSchema,
  SluiceCrds,
  SluicePlatform,
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

test('components carry their role and its wave: CRDs, then sluice, then istioconfig and policies', () => {
  assert.deepEqual(
    components.map((component) => [component.name, component.role, component.wave, component.hasCrds]),
    [
      ['sluice-crds', 'crds', 1, true],
      ['sluice', 'platform', 2, false],
      ['istioconfig', 'configuration', 3, false],
      ['policies', 'configuration', 3, false],
    ],
  );
  assert.equal(
    components.find((c) => c.name === 'policies')?.objects[0]?.metadata.namespace,
    'sluice-system',
  );
});

test('Argo CD: kubectl apply -k argocd creates only the parent; it syncs the children, which carry the waves', () => {
  for (const files of [plain, helm]) {
    assert.deepEqual(doc(files, 'argocd/kustomization.yaml').resources, ['app-of-apps.yaml']);
    const parent = doc(files, 'argocd/app-of-apps.yaml');
    assert.equal(parent.metadata.name, 'sluice-app-of-apps');
    assert.equal(parent.spec.source.path, 'clusters/prod/sluice/argocd/apps');
    assert.equal(parent.spec.destination.namespace, 'argocd');
    assert.equal(parent.metadata.annotations, undefined);
  }
  const children = ['sluice-namespaces', 'sluice-crds', 'sluice', 'sluice-istioconfig', 'sluice-policies'];
  assert.deepEqual(
    doc(plain, 'argocd/apps/kustomization.yaml').resources,
    children.map((c) => `${c}.yaml`),
  );
  assert.deepEqual(
    children.map(
      (name) => doc(plain, `argocd/apps/${name}.yaml`).metadata.annotations['argocd.argoproj.io/sync-wave'],
    ),
    ['0', '1', '2', '3', '3'],
  );
  assert.equal(doc(plain, 'argocd/apps/sluice.yaml').spec.source.path, 'clusters/prod/sluice/sluice');
  const helmSource = doc(helm, 'argocd/apps/sluice.yaml').spec.source;
  assert.equal(helmSource.path, 'clusters/prod/sluice/charts/sluice');
  assert.equal(helmSource.helm.releaseName, 'sluice');
});

test('Argo CD: every child retries with backoff and skips the dry run of kinds not served yet; CRDs apply server-side', () => {
  for (const files of [plain, helm]) {
    const children = [...files.keys()].filter((path) => /^argocd\/apps\/sluice.*\.yaml$/.test(path));
    assert.equal(children.length, 5);
    for (const path of children) {
      const { syncPolicy } = doc(files, path).spec;
      assert.deepEqual(
        syncPolicy.retry,
        { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
        path,
      );
      assert.ok(syncPolicy.syncOptions.includes('SkipDryRunOnMissingResource=true'), path);
      assert.ok(syncPolicy.syncOptions.includes('CreateNamespace=true'), path);
      assert.equal(
        syncPolicy.syncOptions.includes('ServerSideApply=true'),
        path.endsWith('sluice-crds.yaml'),
        path,
      );
    }
  }
});

test('Argo CD: namespace and project are options; the parent and every child use them', () => {
  const files = gitOpsFiles(components, {
    mode: 'plain',
    repoPath: 'deploy',
    argocd: REPO,
    argocdNamespace: 'gitops',
    argocdProject: 'platform',
  });
  const applications = [...files.keys()].filter(
    (path) => path.startsWith('argocd/') && path.endsWith('.yaml'),
  );
  const apps = applications.map((path) => doc(files, path)).filter((object) => object.kind === 'Application');
  assert.equal(apps.length, 6);
  for (const app of apps) {
    assert.equal(app.metadata.namespace, 'gitops', app.metadata.name);
    assert.equal(app.spec.project, 'platform', app.metadata.name);
  }
  assert.throws(
    () =>
      gitOpsFiles(components, {
        mode: 'plain',
        repoPath: 'deploy',
        argocd: REPO,
        argocdNamespace: 'Argo CD',
      }),
    /--argocd-namespace: "Argo CD" is not allowed; use a DNS label/,
  );
});

test('Argo CD: the argocd-cm patch restores the Application health check that waves between children need', () => {
  const patch = doc(plain, 'argocd/argocd-cm-application-health.patch.yaml');
  assert.deepEqual(Object.keys(patch), ['data']);
  // The key Argo CD reads a health script from: resource.customizations.health.<group>_<kind>
  // (argo-cd docs/operator-manual/health.md, "Argocd App"; removed from the built-in checks in 1.8, #3781).
  const lua: string = patch.data['resource.customizations.health.argoproj.io_Application'];
  assert.match(lua, /obj\.status\.health\.status/);
  assert.match(lua, /status = "Progressing"/);
  assert.match(lua, /return health\n$/);
  // Not an object of the parent's kustomization: it must not replace the rest of argocd-cm.
  assert.ok(
    !doc(plain, 'argocd/kustomization.yaml').resources.includes('argocd-cm-application-health.patch.yaml'),
  );
});

test('Flux Kustomizations depend on the previous wave and wait; HelmReleases replace CRDs on upgrade', () => {
  const dependsOn = (files: GitOpsFiles, name: string) =>
    (doc(files, `flux/${name}.yaml`).spec.dependsOn ?? []).map((d: { name: string }) => d.name);
  for (const files of [plain, helm]) {
    assert.deepEqual(dependsOn(files, 'sluice-namespaces'), []);
    assert.deepEqual(dependsOn(files, 'sluice-crds'), ['sluice-namespaces']);
    assert.deepEqual(dependsOn(files, 'sluice'), ['sluice-crds']);
    assert.deepEqual(dependsOn(files, 'sluice-istioconfig'), ['sluice']);
    assert.deepEqual(dependsOn(files, 'sluice-policies'), ['sluice']);
    assert.equal(doc(files, 'flux/sluice.yaml').spec.wait, true);
  }
  assert.equal(doc(plain, 'flux/sluice.yaml').spec.path, './clusters/prod/sluice/sluice');
  assert.equal(doc(helm, 'flux/sluice.yaml').spec.path, './clusters/prod/sluice/flux/releases/sluice');
  assert.equal(doc(helm, 'flux/sluice-namespaces.yaml').spec.path, './clusters/prod/sluice/namespaces');
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

const tenantConfig = SluiceConfigSchema.parse({
  tenantGateways: {
    enabled: true,
    values: {
      tenants: [
        { name: 'shop', hosts: ['shop.example.com'], backend: { service: 'shop', port: 80 } },
        {
          name: 'blog',
          namespace: 'writers',
          hosts: ['blog.example.com'],
          backend: { service: 'blog', port: 80 },
        },
      ],
    },
  },
});

test('the namespaces folder creates every namespace the objects need, and GitOps tools never delete them', () => {
  const files = gitOpsFiles(synthesizeConfig(tenantConfig), {
    mode: 'plain',
    repoPath: 'deploy',
    flux: REPO,
  });
  assert.deepEqual(
    [...files.keys()].filter((path) => path.startsWith('namespaces/')),
    [
      'namespaces/kustomization.yaml',
      'namespaces/namespace-istio-ingress.yaml',
      'namespaces/namespace-istio-system.yaml',
      'namespaces/namespace-shop.yaml',
      'namespaces/namespace-sluice-system.yaml',
      'namespaces/namespace-writers.yaml',
    ],
  );
  const namespace = doc(files, 'namespaces/namespace-istio-system.yaml');
  // istio-system holds Istio itself: pruning or deleting it with the Sluice install would take the mesh down.
  assert.equal(namespace.metadata.annotations['kustomize.toolkit.fluxcd.io/prune'], 'disabled');
  assert.equal(namespace.metadata.annotations['argocd.argoproj.io/sync-options'], 'Prune=false,Delete=false');
});

/**
 * A model of a fresh cluster (no API server can run here): it holds only the built-in namespaces, and
 * applies each unit in order. A namespaced object whose namespace does not exist fails the unit, as
 * kustomize-controller fails with "namespace not specified: namespaces ... not found" and Argo CD with
 * "namespaces ... not found". Inside one unit Namespaces go first (Flux: fluxcd/pkg ssa
 * IsClusterDefinition stages; Argo CD: kind order), and an Argo CD child with CreateNamespace=true first
 * creates its destination namespace.
 */
function missingNamespaces(units: readonly { name: string; creates: string[]; objects: any[] }[]): string[] {
  const existing = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
  const missing: string[] = [];
  for (const unit of units) {
    for (const created of unit.creates) existing.add(created);
    for (const object of unit.objects) if (object.kind === 'Namespace') existing.add(object.metadata.name);
    for (const object of unit.objects) {
      const namespace = object.metadata.namespace;
      if (namespace !== undefined && !existing.has(namespace))
        missing.push(`${unit.name}: ${object.kind} ${namespace}/${object.metadata.name}`);
    }
  }
  return missing;
}

/** The Flux Kustomizations of the output, in dependsOn order, each with the objects of its folder. */
function fluxUnits(files: GitOpsFiles, repoPath: string) {
  const kustomizations = doc(files, 'flux/kustomization.yaml')
    .resources.filter((name: string) => name !== 'gitrepository.yaml')
    .map((name: string) => doc(files, `flux/${name}`));
  const done = new Set<string>();
  const ordered: any[] = [];
  while (ordered.length < kustomizations.length) {
    const ready = kustomizations.filter(
      (k: any) => !done.has(k.metadata.name) && (k.spec.dependsOn ?? []).every((d: any) => done.has(d.name)),
    );
    assert.ok(ready.length > 0, 'a dependsOn cycle');
    for (const k of ready) {
      done.add(k.metadata.name);
      ordered.push(k);
    }
  }
  return ordered.map((k: any) => {
    const folder = k.spec.path.slice(`./${repoPath}/`.length);
    const objects = [...files]
      .filter(([path]) => path.startsWith(`${folder}/`) && !path.endsWith('kustomization.yaml'))
      .map(([, text]) => parse(text));
    return { name: k.metadata.name, creates: [], objects };
  });
}

/** The Argo CD children in wave order, each with its objects and its CreateNamespace destination. */
function argoUnits(files: GitOpsFiles, repoPath: string) {
  return doc(files, 'argocd/apps/kustomization.yaml')
    .resources.map((name: string) => doc(files, `argocd/apps/${name}`))
    .sort(
      (a: any, b: any) =>
        Number(a.metadata.annotations['argocd.argoproj.io/sync-wave']) -
        Number(b.metadata.annotations['argocd.argoproj.io/sync-wave']),
    )
    .map((app: any) => {
      const folder = app.spec.source.path.slice(`${repoPath}/`.length);
      const objects = [...files]
        .filter(([path]) => path.startsWith(`${folder}/`) && !path.endsWith('kustomization.yaml'))
        .map(([, text]) => parse(text));
      const creates = app.spec.syncPolicy.syncOptions.includes('CreateNamespace=true')
        ? [app.spec.destination.namespace]
        : [];
      return { name: app.metadata.name, creates, objects };
    });
}

test('on a fresh cluster every Flux Kustomization and Argo CD child finds its namespaces, tenants included', () => {
  for (const config of [SluiceConfigSchema.parse({}), tenantConfig]) {
    const files = gitOpsFiles(synthesizeConfig(config), {
      mode: 'plain',
      repoPath: 'deploy',
      flux: REPO,
      argocd: REPO,
    });
    const flux = fluxUnits(files, 'deploy');
    assert.ok(flux.reduce((n: number, unit: any) => n + unit.objects.length, 0) >= 17);
    assert.deepEqual(missingNamespaces(flux), []);
    assert.deepEqual(missingNamespaces(argoUnits(files, 'deploy')), []);
  }
  // The model fails what is broken: the same output without its namespaces folder.
  const files = gitOpsFiles(synthesizeConfig(tenantConfig), {
    mode: 'plain',
    repoPath: 'deploy',
    flux: REPO,
    argocd: REPO,
  });
  for (const path of [...files.keys()]) if (path.startsWith('namespaces/')) files.delete(path);
  assert.ok(
    missingNamespaces(fluxUnits(files, 'deploy')).includes(
      'sluice: ServiceAccount sluice-system/sluice-agent',
    ),
  );
  assert.deepEqual(
    missingNamespaces(argoUnits(files, 'deploy')).filter((line) => line.startsWith('sluice-tenant-gateways'))
      .length,
    6,
  );
});

test('a build(app) config: waves and dependsOn follow what each Chart holds, not its id', () => {
  const app = new App();
  // Ids that sort and read nothing like the well-known names.
  new SluiceCrds(new Chart(app, 'zz-schema'), 'crds');
  new SluicePlatform(new Chart(app, 'aa-runtime'), 'sluice', { namespace: 'sluice-system' });
  new IstioConfig(new Chart(app, 'mesh'), 'istio', {
    namespace: 'istio-system',
    agent: { release: 'sluice', namespace: 'sluice-system' },
  });
  const built = componentsOfApp(app, 'sluice-system');
  assert.deepEqual(
    built.map((c) => [c.name, c.role, c.wave]),
    [
      ['zz-schema', 'crds', 1],
      ['aa-runtime', 'platform', 2],
      ['mesh', 'configuration', 3],
    ],
  );
  const files = gitOpsFiles(built, { mode: 'plain', repoPath: 'deploy', flux: REPO, argocd: REPO });
  const dependsOn = (name: string) =>
    (doc(files, `flux/${name}.yaml`).spec.dependsOn ?? []).map((d: { name: string }) => d.name);
  assert.deepEqual(dependsOn('sluice-zz-schema'), ['sluice-namespaces']);
  assert.deepEqual(dependsOn('sluice-aa-runtime'), ['sluice-zz-schema']);
  assert.deepEqual(dependsOn('sluice-mesh'), ['sluice-aa-runtime']);
  assert.equal(
    doc(files, 'argocd/apps/sluice-zz-schema.yaml').metadata.annotations['argocd.argoproj.io/sync-wave'],
    '1',
  );
  // A Chart may not take the name of a folder of the output itself.
  const clash = new App();
  new SluiceCrds(new Chart(clash, 'argocd'), 'crds');
  assert.throws(
    () => gitOpsFiles(componentsOfApp(clash, 'sluice-system'), { mode: 'plain', repoPath: 'deploy' }),
    /component "argocd": name: "argocd" is not allowed; argocd, charts, flux, namespaces are folders of the output itself/,
  );
});

test('every Argo CD and Flux object validates closed against @kubernetes-models', async () => {
  const objects = [...plain, ...helm]
    .filter(([path]) => /^(argocd|flux)\//.test(path) && !/(kustomization|\.patch)\.yaml$/.test(path))
    .map(([, text]) => parse(text) as { apiVersion: string; kind: string });
  assert.ok(objects.length >= 14);
  assert.deepEqual(closedModelErrors(objects), []);
  assert.deepEqual(await runtimeModelErrors(objects), []);
  const typo = structuredClone(doc(plain, 'argocd/apps/sluice.yaml'));
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
  for (const folder of [
    'namespaces',
    'sluice-crds',
    'sluice',
    'istioconfig',
    'policies',
    'argocd/apps',
    'flux',
  ]) {
    const built = execFileSync(kubectl, ['kustomize', join(directory, folder)], { encoding: 'utf8' });
    const objects = parseAllDocuments(built).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    const component = [...components, namespacesComponent(components)].find((c) => c?.name === folder);
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
