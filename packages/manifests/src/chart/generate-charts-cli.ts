import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCharts } from './chart-writer.js';

/** `npm run charts`: regenerates `charts/<name>/` for every chart (sluicectl charts does the same). */
const here = fileURLToPath(new URL('.', import.meta.url));
for (const chart of writeCharts(resolve(process.argv[2] ?? join(here, '..', '..', '..', '..', 'charts')))) {
  console.log(`${chart.directory}: ${chart.entries} entries`);
}
