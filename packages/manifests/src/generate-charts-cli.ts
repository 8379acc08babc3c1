import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateChart } from './chart-generator.js';
import { CHART_DEFINITIONS } from './charts.js';

/**
 * `npm run charts`: regenerates `charts/<name>/` for every chart. Each chart directory is replaced whole,
 * so a template that is no longer generated cannot linger.
 */
function main(): void {
  const here = dirname(fileURLToPath(import.meta.url));
  const chartsDirectory = resolve(process.argv[2] ?? join(here, '..', '..', '..', 'charts'));
  for (const definition of CHART_DEFINITIONS) {
    const directory = join(chartsDirectory, definition.name);
    rmSync(directory, { recursive: true, force: true });
    for (const [path, content] of generateChart(definition)) {
      const target = join(directory, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    console.log(`${directory}: ${readdirSync(directory, { recursive: true }).length} entries`);
  }
}

main();
