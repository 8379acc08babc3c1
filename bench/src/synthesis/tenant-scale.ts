/**
 * Tenant gateways at scale: 10 to 5,000 tenants through the TenantGateways construct (cdk8s
 * synthesis in this process) and through `helm template` of the generated charts/tenant-gateways on
 * Helm 3 and Helm 4, timing each and measuring its output.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Chart } from 'cdk8s';
import { TenantGateways } from '@sluice/manifests';
import { helmBinaries } from '@sluice/testkit';
import { judge, type Figure, type StageReport, type TargetResult } from '../report/figures.js';
import { median } from '../report/stats.js';
import { REPO_ROOT } from '../system/repo-paths.js';
import { MARGINAL_RATIO_TARGET, marginalGrowth, type ScalePoint } from './marginal-cost.js';
import { benchTenants } from './tenant-values.js';

const run = promisify(execFile);
const SECTION = 'synthesis';
const RELEASE = 'tenants';
const NAMESPACE = 'sluice-system';
const CHART_DIR = join(REPO_ROOT, 'charts', 'tenant-gateways');

export interface TenantScaleOptions {
  readonly scales: readonly number[];
  /** Repeats per scale and renderer; figures are medians. */
  readonly repeats: number;
  /** Scales at or above this are rendered once by Helm: a quadratic chart takes minutes there. */
  readonly helmSingleRunFrom: number;
  /** A `helm template` slower than this is stopped and reported as at least this long. */
  readonly helmTimeoutMs: number;
  readonly log: (line: string) => void;
}

interface Measurement {
  readonly renderer: string;
  readonly tenants: number;
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  readonly outputBytes: number;
  readonly documents: number;
  readonly timedOut: boolean;
}

function synthesise(tenants: number): { ms: number; output: string } {
  const values = benchTenants(tenants);
  const start = performance.now();
  const app = new App();
  new TenantGateways(new Chart(app, 'tenant-gateways'), 'tenants', { release: RELEASE, tenants: values });
  const output = app.synthYaml();
  return { ms: performance.now() - start, output };
}

async function helmTemplate(
  helmPath: string,
  valuesFile: string,
  timeoutMs: number,
): Promise<{ ms: number; output: string; timedOut: boolean }> {
  const start = performance.now();
  try {
    const { stdout } = await run(
      helmPath,
      ['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '-f', valuesFile],
      { maxBuffer: 1024 * 1024 * 1024, timeout: timeoutMs },
    );
    return { ms: performance.now() - start, output: stdout, timedOut: false };
  } catch (error) {
    if ((error as { killed?: boolean }).killed === true) return { ms: timeoutMs, output: '', timedOut: true };
    throw error;
  }
}

const documentCount = (yaml: string) => (yaml.match(/^kind: /gm) ?? []).length;

export async function runTenantScale(options: TenantScaleOptions): Promise<StageReport> {
  const started = Date.now();
  const { log } = options;
  const measurements: Measurement[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-tenants-'));
  const helms = helmBinaries();
  try {
    // Warm the construct code once so the 10-tenant figure is not mostly module loading and JIT.
    synthesise(10);
    for (const tenants of options.scales) {
      const runs: number[] = [];
      let output = '';
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        const result = synthesise(tenants);
        runs.push(result.ms);
        output = result.output;
      }
      measurements.push({
        renderer: 'constructs (cdk8s)',
        tenants,
        runsMs: runs,
        medianMs: median(runs),
        outputBytes: Buffer.byteLength(output),
        documents: documentCount(output),
        timedOut: false,
      });
      log(`constructs ${tenants} tenants: ${median(runs).toFixed(0)} ms, ${Buffer.byteLength(output)} bytes`);
    }
    for (const tenants of options.scales) {
      const valuesFile = join(dir, `values-${tenants}.json`);
      // JSON is YAML: helm reads the file as it would a values.yaml.
      writeFileSync(valuesFile, JSON.stringify({ tenants: benchTenants(tenants) }));
      for (const helm of helms) {
        const repeats = tenants >= options.helmSingleRunFrom ? 1 : options.repeats;
        const runs: number[] = [];
        let output = '';
        let timedOut = false;
        for (let repeat = 0; repeat < repeats && !timedOut; repeat++) {
          const result = await helmTemplate(helm.path, valuesFile, options.helmTimeoutMs);
          runs.push(result.ms);
          output = result.output;
          timedOut = result.timedOut;
        }
        measurements.push({
          renderer: `helm ${helm.major} template`,
          tenants,
          runsMs: runs,
          medianMs: median(runs),
          outputBytes: Buffer.byteLength(output),
          documents: documentCount(output),
          timedOut,
        });
        log(
          `helm ${helm.major} ${tenants} tenants: ${timedOut ? `stopped after ${options.helmTimeoutMs} ms` : `${median(runs).toFixed(0)} ms`}, ${Buffer.byteLength(output)} bytes`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const figures: Figure[] = [];
  const targets: TargetResult[] = [];
  const renderers = [...new Set(measurements.map((m) => m.renderer))];
  for (const renderer of renderers) {
    const own = measurements.filter((m) => m.renderer === renderer);
    for (const m of own) {
      figures.push({
        section: SECTION,
        name: `${renderer}, ${m.tenants.toLocaleString('en-US')} tenants: time`,
        value: m.medianMs,
        unit: 'ms',
        ...(m.timedOut
          ? { note: 'stopped at the timeout: at least this' }
          : m.runsMs.length === 1
            ? { note: '1 run' }
            : {}),
      });
      if (!m.timedOut)
        figures.push({
          section: SECTION,
          name: `${renderer}, ${m.tenants.toLocaleString('en-US')} tenants: output`,
          value: m.outputBytes / 1024,
          unit: 'KiB',
          note: `${m.documents} objects`,
        });
    }
    const points: ScalePoint[] = own.map((m) => ({ tenants: m.tenants, ms: m.medianMs }));
    const growth = marginalGrowth(points);
    figures.push(
      { section: SECTION, name: `${renderer}: marginal ms/tenant 100→1,000`, value: growth.low, unit: 'ms' },
      {
        section: SECTION,
        name: `${renderer}: marginal ms/tenant 1,000→5,000`,
        value: growth.high,
        unit: 'ms',
      },
    );
    const timedOut = own.some((m) => m.timedOut);
    const target = judge({
      section: SECTION,
      name: `${renderer}: marginal cost per tenant 1,000→5,000 ÷ 100→1,000`,
      measured: growth.ratio,
      comparison: 'at-most',
      limit: MARGINAL_RATIO_TARGET,
      unit: '×',
      ...(timedOut ? { note: 'a run stopped at the timeout: the ratio is a lower bound' } : {}),
    });
    // A lower bound under the limit proves nothing either way.
    targets.push(timedOut && target.verdict === 'PASS' ? { ...target, verdict: 'SKIP' } : target);
  }
  return {
    stage: SECTION,
    figures,
    targets,
    skipped: [],
    details: { measurements, helms: helms.map((helm) => ({ major: helm.major, path: helm.path })) },
    durationMs: Date.now() - started,
  };
}
