/**
 * Bad values for every chart under charts/ (the files users install), refused by the real Helm 3
 * and Helm 4 through values.schema.json: a non-zero exit, the schema-violation banner, the path of
 * the bad value in each Helm's own notation, and nothing rendered. The zod schema the chart was
 * generated from refuses the same values at the same path, so typed authoring and Helm agree.
 * (charts.test.ts keeps its few refusals; this is the table per chart.)
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { formatPath, parseWith } from '@sluice/spec';
import { CHART_DEFINITIONS } from '../src/chart/charts.js';
import { HELMS } from './support/helm.js';
import { helmNamesPath, helmTemplateRun, SCHEMA_REFUSAL, type ValuesPath } from './support/helm-refusal.js';

const CHARTS_DIRECTORY = resolve(import.meta.dirname, '..', '..', '..', 'charts');

interface BadValues {
  readonly what: string;
  readonly values: Record<string, unknown>;
  /** Where the bad value is; for an unknown key, the key itself is the last segment. */
  readonly path: ValuesPath;
  readonly unknownKey?: boolean;
}

const TENANT = { name: 'shop', hosts: ['shop.example.com'], backend: { service: 'web', port: 80 } };

const BAD_VALUES: Readonly<Record<string, readonly BadValues[]>> = {
  sluice: [
    {
      what: 'a port as a string',
      values: { agent: { ports: { http: '8081' } } },
      path: ['agent', 'ports', 'http'],
    },
    {
      what: 'a CPU limit as a number',
      values: { controller: { resources: { limits: { cpu: 1 } } } },
      path: ['controller', 'resources', 'limits', 'cpu'],
    },
    {
      what: 'an object where a list belongs',
      values: { agent: { tolerations: {} } },
      path: ['agent', 'tolerations'],
    },
    { what: 'a section as a string', values: { monitoring: 'on' }, path: ['monitoring'] },
    {
      what: 'an unknown key',
      values: { controller: { portss: { grpc: 8090 } } },
      path: ['controller', 'portss'],
      unknownKey: true,
    },
    {
      what: 'an unknown key in a list item',
      values: { agent: { tolerations: [{ operator: 'Exists', effects: 'NoSchedule' }] } },
      path: ['agent', 'tolerations', 0, 'effects'],
      unknownKey: true,
    },
    {
      what: 'drainSeconds above 300',
      values: { agent: { drainSeconds: 301 } },
      path: ['agent', 'drainSeconds'],
    },
    {
      what: 'a grace period of 0',
      values: { agent: { terminationGracePeriodSeconds: 0 } },
      path: ['agent', 'terminationGracePeriodSeconds'],
    },
    {
      what: 'a negative tolerationSeconds',
      values: { agent: { tolerations: [{ operator: 'Exists', tolerationSeconds: -1 }] } },
      path: ['agent', 'tolerations', 0, 'tolerationSeconds'],
    },
    {
      what: 'a port of 0',
      values: { controller: { ports: { grpc: 0 } } },
      path: ['controller', 'ports', 'grpc'],
    },
    {
      what: 'a log level not in the enum',
      values: { agent: { logLevel: 'verbose' } },
      path: ['agent', 'logLevel'],
    },
    {
      what: 'a pull policy in the wrong case',
      values: { controller: { image: { pullPolicy: 'always' } } },
      path: ['controller', 'image', 'pullPolicy'],
    },
    {
      what: 'a taint effect not in the enum',
      values: { agent: { tolerations: [{ operator: 'Exists', effect: 'NoExec' }] } },
      path: ['agent', 'tolerations', 0, 'effect'],
    },
    {
      what: 'a scrape interval with a space',
      values: { monitoring: { serviceMonitor: { interval: '30 s' } } },
      path: ['monitoring', 'serviceMonitor', 'interval'],
    },
    {
      what: 'a ServiceMonitor label value with a space',
      values: { monitoring: { serviceMonitor: { labels: { release: 'kube prometheus' } } } },
      path: ['monitoring', 'serviceMonitor', 'labels', 'release'],
    },
    {
      what: 'an image tag with a shell command',
      values: { agent: { image: { tag: '1.0; id' } } },
      path: ['agent', 'image', 'tag'],
    },
    { what: 'an upper-case nameOverride', values: { nameOverride: 'Sluice' }, path: ['nameOverride'] },
  ],
  'sluice-crds': [
    { what: 'a boolean as a string', values: { keepOnUninstall: 'true' }, path: ['keepOnUninstall'] },
    { what: 'an unknown key', values: { installCRDs: true }, path: ['installCRDs'], unknownKey: true },
  ],
  istioconfig: [
    { what: 'a mode in the wrong case', values: { mode: 'envoyfilter' }, path: ['mode'] },
    {
      what: 'a status as a number',
      values: { extAuthz: { statusOnError: 503 } },
      path: ['extAuthz', 'statusOnError'],
    },
    { what: 'an mTLS mode not in the enum', values: { mtls: { mode: 'strict' } }, path: ['mtls', 'mode'] },
    { what: 'a port above 65535', values: { agent: { port: 65536 } }, path: ['agent', 'port'] },
    { what: 'a priority above 1000', values: { priority: 1001 }, path: ['priority'] },
    {
      what: 'a body limit of 0 bytes',
      values: { extAuthz: { requestBody: { maxRequestBytes: 0 } } },
      path: ['extAuthz', 'requestBody', 'maxRequestBytes'],
    },
    {
      what: 'a buffer below 1 KiB',
      values: { accessLog: { bufferSizeBytes: 1023 } },
      path: ['accessLog', 'bufferSizeBytes'],
    },
    {
      what: 'concurrency 65',
      values: { exactBalance: { concurrency: 65 } },
      path: ['exactBalance', 'concurrency'],
    },
    { what: 'a timeout in ms', values: { extAuthz: { timeout: '250ms' } }, path: ['extAuthz', 'timeout'] },
    {
      what: 'a header list as a string',
      values: { extAuthz: { credentialHeaders: 'authorization' } },
      path: ['extAuthz', 'credentialHeaders'],
    },
    {
      what: 'a header name with a colon',
      values: { extAuthz: { allowedHeaders: ['x-user:'] } },
      path: ['extAuthz', 'allowedHeaders', 0],
    },
    {
      what: 'an unknown key',
      values: { extAuthz: { failureModeAlow: false } },
      path: ['extAuthz', 'failureModeAlow'],
      unknownKey: true,
    },
  ],
  'tenant-gateways': [
    { what: 'tenants as an object', values: { tenants: { shop: TENANT } }, path: ['tenants'] },
    {
      what: 'a boolean as a string',
      values: { gatewayApi: { enabled: 'true' } },
      path: ['gatewayApi', 'enabled'],
    },
    {
      what: 'a key algorithm in the wrong case',
      values: { certificate: { privateKeyAlgorithm: 'rsa' } },
      path: ['certificate', 'privateKeyAlgorithm'],
    },
    {
      what: 'a solver not in the enum',
      values: { clusterIssuer: { solver: 'dns01' } },
      path: ['clusterIssuer', 'solver'],
    },
    {
      what: 'a backend port of 0',
      values: { tenants: [{ ...TENANT, backend: { service: 'web', port: 0 } }] },
      path: ['tenants', 0, 'backend', 'port'],
    },
    {
      what: 'a backend port above 65535',
      values: { tenants: [{ ...TENANT, backend: { service: 'web', port: 70_000 } }] },
      path: ['tenants', 0, 'backend', 'port'],
    },
    {
      what: 'an unknown key in a tenant',
      values: { tenants: [{ ...TENANT, hostname: 'shop.example.com' }] },
      path: ['tenants', 0, 'hostname'],
      unknownKey: true,
    },
    {
      what: 'an upper-case region',
      values: { clusterIssuer: { route53: { region: 'US-EAST-1' } } },
      path: ['clusterIssuer', 'route53', 'region'],
    },
    {
      what: 'a duration in days',
      values: { certificate: { duration: '90d' } },
      path: ['certificate', 'duration'],
    },
    {
      what: 'more than 100 hosts',
      values: { tenants: [{ ...TENANT, hosts: Array.from({ length: 101 }, (_, i) => `h${i}.example.com`) }] },
      path: ['tenants', 0, 'hosts'],
    },
  ],
};

it('every chart under charts/ has a table of bad values', () => {
  const directories = readdirSync(CHARTS_DIRECTORY, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  assert.deepEqual(directories, CHART_DEFINITIONS.map((definition) => definition.name).sort());
  assert.deepEqual(Object.keys(BAD_VALUES).sort(), directories);
});

for (const definition of CHART_DEFINITIONS) {
  const chart = join(CHARTS_DIRECTORY, definition.name);
  describe(`charts/${definition.name} refuses bad values on Helm 3 and Helm 4, naming the path`, () => {
    for (const bad of BAD_VALUES[definition.name] ?? []) {
      it(`${bad.what}: ${formatPath(bad.path)}`, async () => {
        const typed = parseWith(definition.valuesSchema, bad.values);
        assert.ok(!typed.ok, 'the zod schema accepts it');
        assert.ok(
          typed.issues.some((issue) => issue.path === formatPath(bad.path)),
          `zod names ${typed.issues.map((issue) => issue.path).join(', ')}`,
        );
        const runs = await Promise.all(HELMS.map((helm) => helmTemplateRun(helm, chart, bad.values)));
        runs.forEach((run, index) => {
          const major = HELMS[index]?.major ?? 0;
          assert.notEqual(run.code, 0, `helm ${major} exit code`);
          assert.equal(run.stdout, '', `helm ${major} rendered something`);
          assert.match(run.stderr, SCHEMA_REFUSAL, `helm ${major}`);
          assert.match(
            run.stderr,
            helmNamesPath({ major, path: bad.path, unknownKey: bad.unknownKey ?? false }),
            `helm ${major}: ${run.stderr}`,
          );
        });
      });
    }
  });
}
