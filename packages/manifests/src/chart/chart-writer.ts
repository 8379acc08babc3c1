import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateChart } from './chart-generator.js';
import { CHART_DEFINITIONS } from './charts.js';

/**
 * Writes every generated chart to `<directory>/<name>/`. Each chart directory is replaced whole, so a
 * template that is no longer generated cannot linger. Returns each chart's directory and entry count.
 */
export function writeCharts(directory: string): { readonly directory: string; readonly entries: number }[] {
  return CHART_DEFINITIONS.map((definition) => {
    const chartDirectory = join(directory, definition.name);
    rmSync(chartDirectory, { recursive: true, force: true });
    for (const [path, content] of generateChart(definition)) {
      const target = join(chartDirectory, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    return { directory: chartDirectory, entries: readdirSync(chartDirectory, { recursive: true }).length };
  });
}

/** The generated files of every chart, by chart name (for helm-mode GitOps output). */
export function generatedCharts(): Map<string, ReadonlyMap<string, string>> {
  return new Map(CHART_DEFINITIONS.map((definition) => [definition.name, generateChart(definition)]));
}
