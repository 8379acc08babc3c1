import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { generateChart } from '../src/chart/chart-generator.js';
import {
  CHART_DEFINITIONS,
  SLUICE_CHART_DEFINITION,
  SLUICE_CRDS_CHART_DEFINITION,
} from '../src/chart/charts.js';
import { SluiceCrds } from '../src/constructs/crds/sluice-crds.js';
import { SluicePlatform } from '../src/constructs/platform/sluice-platform.js';
import { SLUICE_CHART } from '../src/constructs/component-binding.js';
import { SluiceChartValuesSchema } from '@sluice/spec';
import { evaluateTree } from '../src/template/template-tree.js';
import {
  byKey,
  helm,
  helmFailure,
  HELMS,
  helmTemplate,
  type Manifest,
  mkdtempSync,
  synthesise,
  writeChart,
} from './support/helm.js';

const CHARTS_DIRECTORY = resolve(import.meta.dirname, '..', '..', '..', 'charts');
const parent = mkdtempSync(join(tmpdir(), 'sluice-charts-'));
const sluiceChart = writeChart(SLUICE_CHART_DEFINITION, parent);
const crdsChart = writeChart(SLUICE_CRDS_CHART_DEFINITION, parent);

function filesUnder(directory: string): string[] {
  return (
    readdirSync(directory, { recursive: true, withFileTypes: true }) as {
      isFile(): boolean;
      name: string;
      parentPath: string;
    }[]
  )
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)))
    .sort();
}

describe('generated charts', () => {
  for (const definition of CHART_DEFINITIONS) {
    it(`charts/${definition.name} is fresh (else: npm run charts)`, () => {
      const expected = generateChart(definition);
      const directory = join(CHARTS_DIRECTORY, definition.name);
      assert.deepEqual(
        filesUnder(directory),
        [...expected.keys()].sort(),
        `charts/${definition.name} has other files than the generator writes; run npm run charts`,
      );
      for (const [path, content] of expected) {
        assert.equal(
          readFileSync(join(directory, path), 'utf8'),
          content,
          `charts/${definition.name}/${path} is stale; run npm run charts`,
        );
      }
    });

    it(`${definition.name}: generating twice gives identical bytes, and every file says it is generated`, () => {
      const first = generateChart(definition);
      const second = generateChart(definition);
      assert.deepEqual([...first.entries()], [...second.entries()]);
      for (const [path, content] of first)
        assert.match(
          content,
          /generated — edit packages\/manifests\/src\/[a-z/-]+\.ts, run npm run charts/,
          path,
        );
      const chartYaml = first.get('Chart.yaml') ?? '';
      assert.match(chartYaml, /^apiVersion: v2$/m);
      assert.match(chartYaml, /^version: 0\.1\.0$/m);
      assert.match(chartYaml, /^appVersion: 0\.1\.0$/m);
    });
  }

  it('values.schema.json is draft-07, closed, and allows global at the root only', () => {
    const schema = JSON.parse(
      generateChart(SLUICE_CHART_DEFINITION).get('values.schema.json') ?? '{}',
    ) as Record<string, any>;
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(schema.additionalProperties, false);
    assert.equal(schema.properties.global.type, 'object');
    assert.equal(schema.properties.agent.additionalProperties, false);
    assert.equal(schema.properties.agent.properties.image.additionalProperties, false);
    assert.equal(schema.properties.agent.properties.global, undefined);
    assert.deepEqual(
      [
        schema.properties.agent.properties.ports.properties.grpc.minimum,
        schema.properties.agent.properties.ports.properties.grpc.maximum,
      ],
      [1, 65535],
    );
  });

  it('values.yaml documents every key with a comment above it', () => {
    const lines = (generateChart(SLUICE_CHART_DEFINITION).get('values.yaml') ?? '').split('\n');
    const keyLines = lines
      .map((line, index) => ({ line, index }))
      .filter(({ line }) => /^\s*(# )?[A-Za-z]+:/.test(line) && !/^\s*- /.test(line));
    assert.ok(keyLines.length >= 40, `${keyLines.length} keys`);
    for (const { line, index } of keyLines) {
      if (/^\s*# [A-Za-z]+:$/.test(line)) continue; // an unset key, itself a comment line
      assert.match(lines[index - 1] ?? '', /^\s*# /, `no comment above ${line.trim()}`);
    }
  });
});

for (const helmBinary of HELMS) {
  describe(`Helm ${helmBinary.major}`, () => {
    for (const chart of [sluiceChart, crdsChart]) {
      it(`lint --strict is clean for ${relative(parent, chart)}`, async () => {
        const output = await helm(helmBinary, ['lint', '--strict', chart]);
        assert.match(output, /1 chart\(s\) linted, 0 chart\(s\) failed/);
        assert.doesNotMatch(output, /\[(WARNING|ERROR)\]/);
      });
    }

    it('lint --strict is clean for sluice with every optional branch on', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'sluice-lint-')), 'values.json');
      const values = {
        agent: {
          redis: { url: 'redis://redis:6379', existingSecret: 'redis-auth' },
          controllerAddress: 'ctl.other.svc:8090',
          image: { tag: '1.2.3' },
        },
        controller: { apiToken: { existingSecret: 'api-token' }, replicas: 2 },
        monitoring: {
          serviceMonitor: { enabled: true },
          prometheusRule: { enabled: true },
          grafanaDashboard: { enabled: true },
        },
        networkPolicy: { enabled: true, sidecarNamespaces: ['shop'], apiNamespaces: ['ops'] },
      };
      writeFileSync(file, JSON.stringify(values));
      const output = await helm(helmBinary, ['lint', '--strict', sluiceChart, '--values', file]);
      assert.match(output, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      assert.doesNotMatch(output, /\[(WARNING|ERROR)\]/);
    });

    // Only `install --dry-run=client` renders NOTES.txt (`template` never does), and Helm 3's install asks a
    // cluster for its version even then; Helm 4 renders it offline, so the check runs there.
    const notesCases =
      helmBinary.major >= 4
        ? [
            {},
            { controller: { enabled: false } },
            { agent: { enabled: false }, controller: { ports: { http: 9091 } } },
          ]
        : [];
    for (const values of notesCases) {
      it(`NOTES.txt prints what it evaluates to, for ${JSON.stringify(values)}`, async () => {
        const file = join(mkdtempSync(join(tmpdir(), 'sluice-notes-')), 'values.json');
        writeFileSync(file, JSON.stringify(values));
        // A client-side dry run renders NOTES.txt without a cluster; `helm template` never renders it.
        const output = await helm(helmBinary, [
          'install',
          'edge',
          sluiceChart,
          '--dry-run=client',
          '--namespace',
          'mesh',
          '--values',
          file,
        ]);
        const notes = output.slice(output.indexOf('NOTES:\n') + 'NOTES:\n'.length).trim();
        const context = {
          values: SluiceChartValuesSchema.parse(values),
          release: { name: 'edge', namespace: 'mesh' },
          chart: SLUICE_CHART,
          locals: new Map(),
        };
        assert.equal(notes, String(evaluateTree(SLUICE_CHART_DEFINITION.notes, context)).trim());
        assert.match(notes, /^Sluice 0\.1\.0 is installed as release edge in namespace mesh\.$/m);
      });
    }

    const refusals: readonly {
      readonly what: string;
      readonly chart: string;
      readonly values: unknown;
      readonly names: RegExp;
    }[] = [
      {
        what: 'an unknown key deep down',
        chart: sluiceChart,
        values: { agent: { image: { tagg: '1.0' } } },
        names: /agent[./]image[\s\S]*tagg|tagg[\s\S]*agent[./]image/,
      },
      { what: 'an unknown key at the root', chart: sluiceChart, values: { agnet: {} }, names: /agnet/ },
      {
        what: 'a wrong type',
        chart: sluiceChart,
        values: { controller: { enabled: 'yes' } },
        names: /controller[./]enabled/,
      },
      {
        what: 'an out-of-range port',
        chart: sluiceChart,
        values: { agent: { ports: { grpc: 70000 } } },
        names: /agent[./]ports[./]grpc/,
      },
      {
        what: 'a bad pattern',
        chart: sluiceChart,
        values: { agent: { redis: { url: 'redis://user:pw@host:6379' } } },
        names: /agent[./]redis[./]url/,
      },
      {
        what: 'an unknown key in sluice-crds',
        chart: crdsChart,
        values: { keepOnUninstal: true },
        names: /keepOnUninstal/,
      },
    ];
    for (const refusal of refusals) {
      it(`refuses ${refusal.what}, naming the key`, async () => {
        const file = join(mkdtempSync(join(tmpdir(), 'sluice-bad-')), 'values.json');
        writeFileSync(file, JSON.stringify(refusal.values));
        const stderr = await helmFailure(helmBinary, ['template', 'sluice', refusal.chart, '--values', file]);
        assert.match(stderr, /values don't meet the specifications of the schema/);
        assert.match(stderr, refusal.names);
      });
    }

    it('two releases in one namespace: no name collides and each selector matches only its own pods', async () => {
      const first = await helmTemplate(helmBinary, sluiceChart, { release: 'alpha', namespace: 'shared' });
      const second = await helmTemplate(helmBinary, sluiceChart, { release: 'beta', namespace: 'shared' });
      // The ClusterRole and its binding are named after namespace and release, so they never collide either.
      // 14 with the agent's priority-class ResourceQuota.
      assert.equal(first.length, 14);
      assert.equal(byKey([...first, ...second]).size, 28);
      const releases = [
        { release: 'alpha', manifests: first },
        { release: 'beta', manifests: second },
      ];
      const pods = releases.flatMap(({ release, manifests }) =>
        manifests
          .filter((m) => m.kind === 'DaemonSet' || m.kind === 'Deployment')
          .map((m) => ({
            release,
            owner: `${m.kind}/${m.metadata.name}`,
            labels: (m as any).spec.template.metadata.labels as Record<string, string>,
          })),
      );
      assert.equal(pods.length, 4);
      const selectors = releases.flatMap(({ release, manifests }) =>
        manifests.flatMap((m: Manifest) => {
          const spec = (m as any).spec ?? {};
          const selector = (m.kind === 'Service' ? spec.selector : spec.selector?.matchLabels) as
            Record<string, string> | undefined;
          return selector === undefined ? [] : [{ release, who: `${m.kind}/${m.metadata.name}`, selector }];
        }),
      );
      // Per release: two Services, the DaemonSet, the Deployment and the PodDisruptionBudget.
      assert.equal(selectors.length, 10);
      for (const { release, who, selector } of selectors) {
        const matching = pods.filter((pod) =>
          Object.entries(selector).every(([key, value]) => pod.labels[key] === value),
        );
        assert.equal(
          matching.length,
          1,
          `${release} ${who} selects ${matching.map((p) => `${p.release} ${p.owner}`).join(', ')}`,
        );
        assert.equal(
          matching[0]?.release,
          release,
          `${release} ${who} selects a pod of ${matching[0]?.release}`,
        );
      }
    });

    it('each chart renders as a subchart, with global values, as it renders alone', async () => {
      const umbrella = mkdtempSync(join(tmpdir(), 'sluice-umbrella-'));
      writeFileSync(
        join(umbrella, 'Chart.yaml'),
        stringify({
          apiVersion: 'v2',
          name: 'platform',
          version: '1.0.0',
          dependencies: [
            { name: 'sluice', version: '0.1.0' },
            { name: 'sluice-crds', version: '0.1.0' },
          ],
        }),
      );
      cpSync(sluiceChart, join(umbrella, 'charts', 'sluice'), { recursive: true });
      cpSync(crdsChart, join(umbrella, 'charts', 'sluice-crds'), { recursive: true });
      const values = {
        global: { region: 'eu-west-1' },
        sluice: { agent: { logLevel: 'debug' } },
        'sluice-crds': { keepOnUninstall: false },
      };
      const rendered = byKey(
        await helmTemplate(helmBinary, umbrella, { release: 'platform', namespace: 'ops', values }),
      );
      const expected = byKey(
        synthesise((scope) => {
          new SluicePlatform(scope, 'sluice', {
            release: 'platform',
            namespace: 'ops',
            agent: { logLevel: 'debug' },
          });
          new SluiceCrds(scope, 'crds', { release: 'platform', keepOnUninstall: false });
        }),
      );
      assert.equal(rendered.size, 15);
      assert.ok(rendered.has('DaemonSet/ops/platform-sluice-agent'));
      assert.deepEqual([...rendered.keys()].sort(), [...expected.keys()].sort());
      for (const [key, manifest] of expected) assert.deepEqual(rendered.get(key), manifest, key);
    });
  });
}
