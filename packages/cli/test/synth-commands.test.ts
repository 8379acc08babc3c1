import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { typecheckConfig } from '../src/config-typecheck.js';
import { defaultExport } from '../src/sluice-config-file.js';
import { type CliRun, sluicectl, tempDir } from './cli-support.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function tree(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(directory, path), readFileSync(path, 'utf8'));
  }
  return files;
}

const EXAMPLES = [
  {
    name: 'gitops-argocd',
    args: [
      '--config',
      'examples/gitops-argocd/sluice.config.ts',
      '--argocd',
      'https://github.com/acme/platform.git',
    ],
  },
  {
    name: 'gitops-flux',
    args: [
      '--config',
      'examples/gitops-flux/sluice.yaml',
      '--mode',
      'helm',
      '--flux',
      'https://github.com/acme/platform.git',
    ],
  },
];

for (const example of EXAMPLES) {
  test(`${example.name}/deploy is what sluicectl synth writes, byte for byte, run after run`, async () => {
    const committed = tree(join(ROOT, 'examples', example.name, 'deploy'));
    for (let run = 0; run < 2; run++) {
      const out = tempDir();
      const result = await sluicectl(
        ['synth', ...example.args, '--output-dir', out, '--repo-path', `examples/${example.name}/deploy`],
        { cwd: ROOT },
      );
      assert.equal(result.code, 0, result.stderr);
      const written = tree(out);
      assert.deepEqual([...written.keys()].sort(), [...committed.keys()].sort());
      for (const [path, content] of written)
        assert.equal(
          content,
          committed.get(path),
          `${path} is stale: rerun the command in examples/${example.name}/README.md`,
        );
    }
  });
}

test('a build-function config synthesises its charts; helm mode is refused for it', async () => {
  const out = tempDir();
  const plain = await sluicectl(
    ['synth', '--config', 'examples/basic/sluice.config.ts', '--output-dir', out, '--repo-path', 'deploy'],
    { cwd: ROOT },
  );
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(readdirSync(out).sort(), [
    'istioconfig',
    'namespaces',
    'policies',
    'sluice',
    'sluice-crds',
  ]);
  const helm = await sluicectl(
    [
      'synth',
      '--config',
      'examples/basic/sluice.config.ts',
      '--output-dir',
      out,
      '--mode',
      'helm',
      '--repo-path',
      'deploy',
    ],
    { cwd: ROOT },
  );
  assert.equal(helm.code, 2);
  assert.match(helm.stderr, /has no chart values, so --mode helm cannot reference the charts/);
});

test('a bad config is bad input naming the path; Argo CD or Flux output outside the repository needs --repo-path', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.yaml'), 'release: sluice\nistioConfig: {namespac: istio-system}\n');
  const bad = await sluicectl(['synth', '--config', 'bad.yaml', '--output-dir', 'out'], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /istioConfig\.namespac: "istio-system" is not allowed; unknown field/);
  writeFileSync(join(dir, 'good.yaml'), 'release: sluice\n');
  for (const tool of ['--argocd', '--flux']) {
    const outside = await sluicectl(
      [
        'synth',
        '--config',
        join(dir, 'good.yaml'),
        '--output-dir',
        join(dir, 'out'),
        tool,
        'https://git.example.com/x.git',
      ],
      { cwd: ROOT },
    );
    assert.equal(outside.code, 2, tool);
    assert.match(outside.stderr, /--repo-path: ".*" is not a path inside the Git repository/);
  }
  const mode = await sluicectl(
    ['synth', '--config', 'good.yaml', '--output-dir', 'out', '--mode', 'kustomize'],
    { cwd: dir },
  );
  assert.equal(mode.code, 2);
  assert.match(mode.stderr, /--mode: "kustomize" is not allowed; use one of plain, helm/);
  const project = await sluicectl(
    ['synth', '--config', 'good.yaml', '--output-dir', 'out', '--argocd-project', 'platform'],
    { cwd: dir },
  );
  assert.equal(project.code, 2);
  assert.match(project.stderr, /--argocd-namespace and --argocd-project need --argocd REPO_URL/);
});

test('without --argocd or --flux, any output folder will do: nothing names it as a repository path', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'good.yaml'), 'release: sluice\n');
  // Run from the repository, writing outside it: refused before, although only Argo CD and Flux objects
  // name the folder inside the repository.
  const outside = await sluicectl(
    ['synth', '--config', join(dir, 'good.yaml'), '--output-dir', join(dir, 'out')],
    { cwd: ROOT },
  );
  assert.equal(outside.code, 0, outside.stderr);
  assert.deepEqual(readdirSync(join(dir, 'out')).sort(), [
    'istioconfig',
    'namespaces',
    'sluice',
    'sluice-crds',
  ]);
  // 14 objects (the agent's priority-class ResourceQuota among them) and their kustomization.yaml.
  assert.equal(readdirSync(join(dir, 'out', 'sluice')).length, 15);
});

/** Secrets a workload cannot start without: non-optional secretKeyRefs and Secret volumes. */
function requiredSecrets(object: any): string[] {
  const pod = object.spec?.template?.spec;
  if (pod === undefined) return [];
  const names: string[] = [];
  for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])])
    for (const env of container.env ?? []) {
      const ref = env.valueFrom?.secretKeyRef;
      if (ref !== undefined && ref.optional !== true) names.push(ref.name);
    }
  for (const volume of pod.volumes ?? [])
    if (volume.secret !== undefined && volume.secret.optional !== true) names.push(volume.secret.secretName);
  return names;
}

// gitops-flux is in helm mode: its deploy/ holds values, not objects.
for (const example of ['gitops-argocd']) {
  test(`${example}: every Secret a workload needs is created by the flow (in Git or by the controller at start)`, () => {
    const objects = [...tree(join(ROOT, 'examples', example, 'deploy'))]
      .filter(
        ([path]) =>
          /^(sluice|namespaces|policies|istioconfig)\//.test(path) && !path.endsWith('kustomization.yaml'),
      )
      .map(([, text]) => parse(text) as any);
    const inGit = objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name);
    // The controller creates the Secrets its config names (packages/controller/README.md, "Runtime Secrets").
    const atStart = objects
      .filter((o) => o.kind === 'ConfigMap' && o.data?.['controller.yaml'] !== undefined)
      .flatMap((o) => [
        ...String(o.data['controller.yaml']).matchAll(/^(?:apiTokenSecret|recordKeySecret): "(.+)"$/gm),
      ])
      .map((match) => match[1]);
    const required = objects.flatMap(requiredSecrets);
    if (example === 'gitops-argocd')
      // The API token comes from somewhere: a Secret the controller creates, or one the pod requires.
      assert.ok(
        atStart.includes('sluice-controller-api-token') || required.length > 0,
        'the controller reads its API token from a Secret',
      );
    for (const name of required)
      assert.ok(
        inGit.includes(name) || atStart.includes(name),
        `${example}: Secret ${name} is required but neither in deploy/ nor created by the controller (${atStart.join(', ')})`,
      );
  });
}

test('a construct that refuses its values is bad input with the reason', async () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'tenants.yaml'),
    'tenantGateways:\n  enabled: true\n  values:\n    tenants:\n      - {name: a, hosts: [shop.example.com], backend: {service: shop, port: 80}}\n      - {name: b, hosts: [shop.example.com], backend: {service: shop, port: 80}}\n',
  );
  const run = await sluicectl(['synth', '--config', 'tenants.yaml', '--output-dir', 'out'], { cwd: dir });
  assert.equal(run.code, 2, run.stdout);
  assert.match(run.stderr, /host shop\.example\.com is claimed by tenant a and tenant b/);
});

test('charts regenerates the four charts into a directory', async () => {
  const out = tempDir();
  const run = await sluicectl(['charts', '--output-dir', out]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['istioconfig', 'sluice', 'sluice-crds', 'tenant-gateways']);
  assert.equal(
    readFileSync(join(out, 'sluice', 'values.yaml'), 'utf8'),
    readFileSync(join(ROOT, 'charts', 'sluice', 'values.yaml'), 'utf8'),
  );
});

test('a name or namespace that would write outside --output-dir is refused and nothing is written', async () => {
  const dir = tempDir();
  const policy = (metadata: string) =>
    `release: sluice\npolicies:\n  - apiVersion: sluice.dev/v1alpha1\n    kind: FlowPolicy\n    metadata: ${metadata}\n    spec:\n      loadSchedulers:\n        - name: protect\n          selectors: [{controlPoint: ingress}]\n`;
  const cases = [
    {
      file: 'namespace.yaml',
      metadata: '{name: protect, namespace: "x/../../../escaped/pwned"}',
      path: /policies\[0\]\.metadata\.namespace: "x\/\.\.\/\.\.\/\.\.\/escaped\/pwned" is not allowed; must be a DNS-1123 label/,
    },
    {
      file: 'name.yaml',
      metadata: '{name: "../../escaped"}',
      path: /policies\[0\]\.metadata\.name: "\.\.\/\.\.\/escaped" is not allowed; must be a DNS-1123 subdomain/,
    },
    {
      file: 'dots.yaml',
      metadata: '{name: protect, namespace: ".."}',
      path: /policies\[0\]\.metadata\.namespace: "\.\." is not allowed/,
    },
  ];
  for (const { file, metadata, path } of cases) {
    writeFileSync(join(dir, file), policy(metadata));
    const run = await sluicectl(['synth', '--config', file, '--output-dir', 'deploy/out'], { cwd: dir });
    assert.equal(run.code, 2, `${file}: ${run.stdout}`);
    assert.match(run.stderr, path);
  }
  // Nothing at all was written: not the output folder, not the escaped target.
  assert.deepEqual(readdirSync(dir).sort(), cases.map((entry) => entry.file).sort());
});

test('a build(app) config whose chart id or object namespace is not a Kubernetes name writes nothing', async () => {
  const dir = tempDir();
  // The config imports cdk8s; outside the repository it resolves through this link.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
  writeFileSync(
    join(dir, 'escape.config.ts'),
    [
      "import { App, ApiObject, Chart } from 'cdk8s';",
      'export default function build(app: App): void {',
      "  const chart = new Chart(app, 'policies');",
      "  new ApiObject(chart, 'p', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p', namespace: 'x/../../../escaped' } });",
      '}',
      '',
    ].join('\n'),
  );
  const run = await sluicectl(['synth', '--config', 'escape.config.ts', '--output-dir', 'deploy/out'], {
    cwd: dir,
  });
  assert.equal(run.code, 2, run.stdout);
  assert.match(
    run.stderr,
    /escape\.config\.ts: component policies: ConfigMap "p": metadata\.namespace: "x\/\.\.\/\.\.\/\.\.\/escaped" is not allowed; use a DNS label/,
  );
  assert.deepEqual(readdirSync(dir).sort(), ['escape.config.ts', 'node_modules', 'package.json']);
});

test('synth lists the files it wrote: a FILE BYTES table, or -o json with the output directory', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'good.yaml'), 'release: sluice\n');
  const table = await sluicectl(['synth', '--config', 'good.yaml', '--output-dir', 'out'], { cwd: dir });
  assert.equal(table.code, 0, table.stderr);
  const [header, ...rows] = table.stdout.trimEnd().split('\n');
  assert.match(header ?? '', /^FILE\s+BYTES$/);
  const json = await sluicectl(['synth', '--config', 'good.yaml', '--output-dir', 'out', '-o', 'json'], {
    cwd: dir,
  });
  assert.equal(json.code, 0, json.stderr);
  const summary = JSON.parse(json.stdout) as { outputDir: string; files: { path: string; bytes: number }[] };
  assert.equal(summary.outputDir, join(dir, 'out'));
  assert.equal(summary.files.length, rows.length);
  assert.ok(summary.files.length > 0);
  for (const file of summary.files)
    assert.equal(readFileSync(join(dir, 'out', file.path)).length, file.bytes, file.path);
  assert.deepEqual(
    rows.map((row) => row.split(/\s{2,}/)[0]),
    summary.files.map((file) => join(dir, 'out', file.path)),
  );
});

test('a YAML syntax error in a config is reported at file:line:col', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'dup.yaml'), 'release: sluice\nrelease: other\n');
  const run = await sluicectl(['synth', '--config', 'dup.yaml', '--output-dir', 'out'], { cwd: dir });
  assert.equal(run.code, 2);
  assert.equal(run.stderr, 'sluicectl synth: dup.yaml:2:1: YAML syntax error: Map keys must be unique\n');
});

test('synth --config - reads a YAML config from standard input', async () => {
  const dir = tempDir();
  const run = await sluicectl(['synth', '--config', '-', '--output-dir', 'out', '-o', 'json'], {
    cwd: dir,
    stdin: 'release: sluice\n',
  });
  assert.equal(run.code, 0, run.stderr);
  assert.ok((JSON.parse(run.stdout) as { files: unknown[] }).files.length > 0);
  const bad = await sluicectl(['synth', '--config', '-', '--output-dir', 'out'], {
    cwd: dir,
    stdin: 'release: sluice\nistioConfig: {namespac: istio-system}\n',
  });
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /<stdin> is invalid:\n\s+- istioConfig\.namespac: "istio-system" is not allowed; unknown field/,
  );
});

// Typed configs (issue 17): the compiler sees what tsx never checks, and the run-time checks catch the rest.
const TYPED = fileURLToPath(new URL('./fixtures/typed-config/', import.meta.url));

async function synthTyped(config: string, ...flags: string[]): Promise<{ run: CliRun; out: string }> {
  const out = join(tempDir(), 'out');
  const run = await sluicectl(
    ['synth', '--config', config, '--output-dir', out, '--repo-path', 'deploy', ...flags],
    { cwd: TYPED },
  );
  return { run, out };
}

test('a typed config that type-checks synthesises; the compiler reports nothing for it', async (t) => {
  const started = performance.now();
  assert.deepEqual(typecheckConfig(TYPED, 'valid.config.ts'), []);
  t.diagnostic(`type-checking valid.config.ts took ${Math.round(performance.now() - started)} ms`);
  const { run, out } = await synthTyped('valid.config.ts');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(readdirSync(out).sort(), [
    'istioconfig',
    'namespaces',
    'policies',
    'sluice',
    'sluice-crds',
  ]);
});

test('a misspelt policy key fails the type check with file:line:col, exit 2, and nothing written', async () => {
  const { run, out } = await synthTyped('typo.config.ts');
  assert.equal(run.code, 2);
  assert.match(run.stderr, /typo\.config\.ts: does not type-check \(--no-typecheck skips this\):/);
  const diagnostics = run.stderr.split('\n').filter((line) => line.startsWith('typo.config.ts:'));
  assert.equal(diagnostics.length, 1, run.stderr);
  assert.match(
    diagnostics[0] ?? '',
    /^typo\.config\.ts:18:13: Object literal may only specify known properties, but 'limitByLabelkey' does not exist .* Did you mean to write 'limitByLabelKey'\?$/,
  );
  assert.equal(existsSync(out), false);
});

test('--no-typecheck skips the compiler; the run-time check still refuses the typo with a guess', async () => {
  const { run, out } = await synthTyped('typo.config.ts', '--no-typecheck');
  assert.equal(run.code, 2);
  assert.doesNotMatch(run.stderr, /does not type-check/);
  assert.match(
    run.stderr,
    /policies\[0\]\.spec\.rateLimiters\[0\]\.limitByLabelkey: "user-id" is not allowed; unknown field \(did you mean "limitByLabelKey"\?\)/,
  );
  assert.equal(existsSync(out), false);
});

test('values are typed per component: a misspelt chart value fails tsc and the run-time check', async () => {
  const typed = await synthTyped('values-typo.config.ts');
  assert.equal(typed.run.code, 2);
  assert.match(typed.run.stderr, /^values-typo\.config\.ts:5:41: .*'ulr' does not exist/m);
  const loose = await synthTyped('values-typo.config.ts', '--no-typecheck');
  assert.equal(loose.run.code, 2);
  assert.match(
    loose.run.stderr,
    /sluice\.values\.agent\.redis\.ulr: "redis:\/\/redis:6379" is not allowed; unknown field \(did you mean "url"\?\)/,
  );
  assert.equal(existsSync(typed.out) || existsSync(loose.out), false);
});

test("a redis rate limit without the agents' Redis URL fails synth naming both places", async () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'redis.yaml'),
    [
      'policies:',
      '  - apiVersion: sluice.dev/v1alpha1',
      '    kind: FlowPolicy',
      '    metadata: {name: global}',
      '    spec:',
      '      rateLimiters:',
      '        - {name: global, selectors: [{controlPoint: ingress}], bucketCapacity: 100, fillAmount: 10, backend: redis}',
      '',
    ].join('\n'),
  );
  const run = await sluicectl(['synth', '--config', 'redis.yaml', '--output-dir', 'out'], { cwd: dir });
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /policies\[0\]\.spec\.rateLimiters\[0\]\.backend: "redis" is not allowed; backend redis needs the agents' Redis, but sluice\.values\.agent\.redis\.url is not set/,
  );
  assert.equal(existsSync(join(dir, 'out')), false);
  writeFileSync(
    join(dir, 'redis-url.yaml'),
    `sluice: {values: {agent: {redis: {url: "redis://redis:6379"}}}}\n${readFileSync(join(dir, 'redis.yaml'), 'utf8')}`,
  );
  const fixed = await sluicectl(['synth', '--config', 'redis-url.yaml', '--output-dir', 'out'], { cwd: dir });
  assert.equal(fixed.code, 0, fixed.stderr);
});

test('a sluice.config.ts in a project without "type": "module" loads as in an ES module project', async () => {
  // tsx loads it as CommonJS there; its default export used to arrive wrapped and be refused as an unknown field.
  for (const packageJson of ['{}\n', '{"type": "commonjs"}\n', '{"type": "module"}\n']) {
    const dir = tempDir();
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'package.json'), packageJson);
    writeFileSync(
      join(dir, 'sluice.config.ts'),
      [
        "import { App, ApiObject, Chart } from 'cdk8s';",
        'export default function build(app: App): void {',
        "  const chart = new Chart(app, 'extras');",
        "  new ApiObject(chart, 'c', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ops' } });",
        '}',
        '',
      ].join('\n'),
    );
    const run = await sluicectl(
      ['synth', '--config', 'sluice.config.ts', '--output-dir', 'out', '--no-typecheck'],
      {
        cwd: dir,
      },
    );
    assert.equal(run.code, 0, `${packageJson}: ${run.stderr}`);
    assert.deepEqual(readdirSync(join(dir, 'out', 'extras')).sort(), [
      'configmap-c.ops.yaml',
      'kustomization.yaml',
    ]);
  }
});

test('defaultExport unwraps only the CommonJS shape', () => {
  const build = (): void => {};
  assert.equal(defaultExport({ default: build }), build);
  assert.equal(defaultExport({ default: { __esModule: true, default: build } }), build);
  const config = { release: 'sluice', default: 'kept' };
  assert.equal(defaultExport({ default: config }), config);
  assert.equal(defaultExport({}), undefined);
});
