import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync as makeTemporaryDirectory, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { helmBinaries, type HelmBinary } from '@sluice/testkit';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments, type ScalarTag, stringify } from 'yaml';
import { generateChart, type ChartDefinition } from '../../src/chart/chart-generator.js';

const run = promisify(execFile);

/** Temporary directories made by this process, removed when it exits so test runs leave nothing behind. */
const temporaryDirectories: string[] = [];
process.on('exit', () => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

export function mkdtempSync(prefix: string): string {
  const directory = makeTemporaryDirectory(prefix);
  temporaryDirectories.push(directory);
  return directory;
}

/** Both real Helm binaries (3 and 4), resolved once per test process. */
export const HELMS: readonly HelmBinary[] = helmBinaries();

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

/** Writes a generated chart into a fresh temporary directory and returns the chart's path. */
export function writeChart(
  definition: ChartDefinition,
  parent = mkdtempSync(join(tmpdir(), 'sluice-chart-')),
): string {
  const directory = join(parent, definition.name);
  for (const [path, content] of generateChart(definition)) {
    const target = join(directory, path);
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, content);
  }
  return directory;
}

/**
 * go-yaml (which Kubernetes and Helm use) resolves plain scalars with YAML 1.2's core rules for numbers but
 * keeps YAML 1.1's booleans (`yes`, `on`, `n`...). The `yaml` package's own 1.1 schema differs from go-yaml
 * on floats (it reads `-.` as NaN), so the test parser is core plus the 1.1 booleans.
 */
const GO_YAML_BOOLEANS: ScalarTag = {
  identify: (value) => typeof value === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: /^(?:y|Y|yes|Yes|YES|on|On|ON|n|N|no|No|NO|off|Off|OFF)$/,
  resolve: (text) => /^(?:y|Y|yes|Yes|YES|on|On|ON)$/.test(text),
};

/** Parses `helm template` output the way Kubernetes reads it, dropping empty documents. */
export function parseManifests(text: string): Manifest[] {
  const documents = parseAllDocuments(text, { schema: 'core', customTags: [GO_YAML_BOOLEANS] });
  const manifests: Manifest[] = [];
  for (const document of documents) {
    if (document.errors.length > 0)
      throw new Error(`invalid YAML from helm: ${document.errors.map((e) => e.message).join('; ')}\n${text}`);
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) manifests.push(value as Manifest);
  }
  return manifests;
}

export interface RenderOptions {
  readonly release: string;
  readonly namespace: string;
  readonly values?: unknown;
  /** Extra arguments, such as `--show-only`. */
  readonly args?: readonly string[];
}

/** Writes values as JSON (valid YAML) so that no string is retyped on the way into Helm. */
function valuesFile(values: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-values-')), 'values.json');
  writeFileSync(path, JSON.stringify(values ?? {}));
  return path;
}

/** Runs `helm template` and returns its raw output; rejects with Helm's stderr. */
export async function helmTemplateText(
  helm: HelmBinary,
  chart: string,
  options: RenderOptions,
): Promise<string> {
  const args = [
    'template',
    options.release,
    chart,
    '--namespace',
    options.namespace,
    '--values',
    valuesFile(options.values),
    ...(options.args ?? []),
  ];
  try {
    const { stdout } = await run(helm.path, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`helm ${helm.major} template failed: ${failure.stderr ?? failure.message}`);
  }
}

export async function helmTemplate(
  helm: HelmBinary,
  chart: string,
  options: RenderOptions,
): Promise<Manifest[]> {
  return parseManifests(await helmTemplateText(helm, chart, options));
}

/** Runs Helm expecting failure; returns stderr, or throws if Helm succeeded. */
export async function helmFailure(helm: HelmBinary, args: readonly string[]): Promise<string> {
  try {
    await run(helm.path, [...args], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    return (error as { stderr?: string }).stderr ?? '';
  }
  throw new Error(`helm ${helm.major} ${args.join(' ')} succeeded but was expected to fail`);
}

export async function helm(helm: HelmBinary, args: readonly string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(helm.path, [...args], { maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `helm ${helm.major} ${args.join(' ')} failed: ${failure.stdout ?? ''}${failure.stderr ?? failure.message}`,
    );
  }
}

/** Synthesises constructs with cdk8s and returns the manifests in order. */
export function synthesise(build: (chart: Chart) => void): Manifest[] {
  const app = new App();
  const chart = new Chart(app, 'test');
  build(chart);
  return chart.toJson() as Manifest[];
}

export function manifestKey(manifest: Manifest): string {
  return `${manifest.kind}/${manifest.metadata.namespace ?? ''}/${manifest.metadata.name}`;
}

/** Indexes manifests by kind/namespace/name, failing on duplicates (a collision would hide an object). */
export function byKey(manifests: readonly Manifest[]): Map<string, Manifest> {
  const map = new Map<string, Manifest>();
  for (const manifest of manifests) {
    const key = manifestKey(manifest);
    if (map.has(key)) throw new Error(`two objects named ${key}`);
    map.set(key, manifest);
  }
  return map;
}

/**
 * Renders many value sets in one `helm template` call: a throwaway parent chart lists the chart once per
 * case under an alias, and Helm renders every alias as a subchart with its own values. Helm names an
 * aliased chart after its alias, so callers set `nameOverride` when names matter. Returns each case's
 * manifests, in case order.
 */
export async function helmTemplateBatch(
  helmBinary: HelmBinary,
  chartDirectory: string,
  chartName: string,
  cases: readonly unknown[],
  options: Omit<RenderOptions, 'values'>,
): Promise<Manifest[][]> {
  const parent = mkdtempSync(join(tmpdir(), 'sluice-batch-'));
  const aliases = cases.map((_, index) => `case${index}`);
  const chartYaml = {
    apiVersion: 'v2',
    name: 'batch',
    version: '0.0.0',
    dependencies: aliases.map((alias) => ({ name: chartName, version: '>=0.0.0', alias })),
  };
  writeFileSync(join(parent, 'Chart.yaml'), stringify(chartYaml));
  cpSync(chartDirectory, join(parent, 'charts', chartName), { recursive: true });
  const values = Object.fromEntries(aliases.map((alias, index) => [alias, cases[index]]));
  const text = await helmTemplateText(helmBinary, parent, { ...options, values });
  const result: Manifest[][] = aliases.map(() => []);
  // Helm prefixes every document with `# Source: batch/charts/<alias>/templates/<file>`.
  for (const chunk of text.split(/^---$/m)) {
    const source = /^# Source: batch\/charts\/case(\d+)\//m.exec(chunk);
    if (source === null) continue;
    result[Number(source[1])]?.push(...parseManifests(chunk));
  }
  return result;
}
