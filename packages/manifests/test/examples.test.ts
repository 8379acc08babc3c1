import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { parseFlowPolicy } from '@sluice/spec';
import { parse, parseAllDocuments } from 'yaml';
import { ApertureMigratedPolicy } from '../src/index.js';
import { closedModelErrors } from './support/closed-models.js';
import { synthesise } from './support/helm.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');
// Loaded by URL: the examples sit outside this package (examples/tsconfig.json type-checks them).
const { exampleNames, synthExample } = (await import(pathToFileURL(join(EXAMPLES, 'synth.ts')).href)) as {
  exampleNames: () => string[];
  synthExample: (name: string, outdir: string) => Promise<string[]>;
};
type Any = Record<string, any>;

function read(directory: string, name: string, file: string): Any[] {
  return parseAllDocuments(readFileSync(join(directory, name, file), 'utf8')).map(
    (document) => document.toJS() as Any,
  );
}

describe('examples synthesise (npm run synth)', () => {
  const out = mkdtempSync(join(tmpdir(), 'sluice-examples-'));

  it('there are exactly the four sluice.config.ts examples', () => {
    assert.deepEqual(exampleNames(), ['aperture-migration', 'basic', 'gitops-argocd', 'multi-tenant']);
  });

  it('every example synthesises one file per chart, byte-identical on a second run', async () => {
    const first = new Map<string, string>();
    for (const name of exampleNames()) {
      for (const file of await synthExample(name, out))
        first.set(`${name}/${file}`, readFileSync(join(out, name, file), 'utf8'));
    }
    assert.deepEqual(
      [...first.keys()].filter((key) => key.startsWith('basic/')),
      ['basic/istioconfig.yaml', 'basic/policies.yaml', 'basic/sluice-crds.yaml', 'basic/sluice.yaml'],
    );
    for (const name of exampleNames()) await synthExample(name, out);
    for (const [key, text] of first) assert.equal(readFileSync(join(out, key), 'utf8'), text, key);
  });

  it('the npm run synth entry point writes every example under the output directory', async () => {
    const target = mkdtempSync(join(tmpdir(), 'sluice-synth-cli-'));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(EXAMPLES, 'synth.ts'), target],
      {
        cwd: join(EXAMPLES, '..'),
      },
    );
    assert.deepEqual(readdirSync(target).sort(), [
      'aperture-migration',
      'basic',
      'gitops-argocd',
      'multi-tenant',
    ]);
    assert.equal(stdout.trim().split('\n').length, 4);
  });

  it('basic: the synthesised policy equals policies/basic-service-protection.yaml, which the controller schema accepts', () => {
    const [policy] = read(out, 'basic', 'policies.yaml');
    const file = parse(
      readFileSync(join(EXAMPLES, 'basic', 'policies', 'basic-service-protection.yaml'), 'utf8'),
    ) as Any;
    assert.deepEqual(policy, file);
    const parsed = parseFlowPolicy(file);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    const scheduler = parsed.value.spec.loadSchedulers[0];
    assert.equal(scheduler?.selectors[0]?.service, 'service1-demo-app.demoapp.svc.cluster.local');
    assert.equal(scheduler?.selectors[0]?.controlPoint, 'ingress');
    assert.deepEqual(
      scheduler?.workloads.map((w) => [w.name, w.priority, w.labelMatcher.matchLabels]),
      [
        ['guests', 50, { 'user-type': 'guest' }],
        ['subscribers', 200, { 'user-type': 'subscriber' }],
      ],
    );
    assert.deepEqual(parsed.value.spec.classifiers[0]?.rules['user-type']?.header, 'user-type');
    assert.equal(scheduler?.averageLatency.latencyToleranceMultiplier, 1.1);
  });

  it('basic: istioconfig dials the agent of the same release; 14 platform objects', () => {
    const [filter] = read(out, 'basic', 'istioconfig.yaml');
    assert.match(
      JSON.stringify(filter),
      /"target_uri":"sluice-agent\.sluice-system\.svc\.cluster\.local:8080"/,
    );
    assert.equal(read(out, 'basic', 'sluice.yaml').length, 14);
  });

  it('multi-tenant: 2 tenants x 3 objects + ClusterIssuer, mesh STRICT, exact balance in the tenant namespaces; all closed-valid', () => {
    const tenants = read(out, 'multi-tenant', 'tenant-gateways.yaml');
    assert.deepEqual(
      tenants.map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`).sort(),
      [
        'Certificate/clinic/clinic-tls',
        'Certificate/pharmacy/pharmacy-tls',
        'ClusterIssuer//letsencrypt',
        'Gateway/clinic/clinic-gateway',
        'Gateway/pharmacy/pharmacy-gateway',
        'VirtualService/clinic/clinic',
        'VirtualService/pharmacy/pharmacy',
      ],
    );
    const istio = read(out, 'multi-tenant', 'istioconfig.yaml');
    assert.deepEqual(
      istio.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`),
      [
        'EnvoyFilter/istio-system/sluice-istioconfig',
        'PeerAuthentication/istio-system/default',
        'ProxyConfig/clinic/sluice-istioconfig-exact-balance',
        'ProxyConfig/pharmacy/sluice-istioconfig-exact-balance',
      ],
    );
    assert.deepEqual(closedModelErrors([...tenants, ...istio] as never), []);
  });

  it('aperture-migration: the seed values become a FlowPolicy with the guests/subscribers workloads', () => {
    const [policy] = read(out, 'aperture-migration', 'policies.yaml');
    assert.ok(parseFlowPolicy(policy).ok);
    assert.equal(policy?.metadata.name, 'workload-prioritization');
    assert.deepEqual(
      policy?.spec.loadSchedulers[0].workloads.map((w: Any) => w.priority),
      [50, 200],
    );
    // Aperture adds its increment every 10 s, Sluice every 1 s: the slope is kept.
    assert.equal(policy?.spec.loadSchedulers[0].averageLatency.aimd.linearIncrement, 0.0025);
  });

  it('aperture-migration: a Rego classifier is refused with its path, not dropped', () => {
    const values = parse(
      readFileSync(join(EXAMPLES, 'aperture-migration', 'aperture-values.yaml'), 'utf8'),
    ) as Any;
    values.policy.resources.flow_control.classifiers[0].rego = { module: 'package x', labels: { tier: {} } };
    assert.throws(
      () =>
        synthesise(
          (scope) =>
            new ApertureMigratedPolicy(scope, 'p', { blueprint: 'load-scheduling/average-latency', values }),
        ),
      /classifiers\[0\]\.rego.*Rego classifiers are not supported/s,
    );
  });
});
