/**
 * `npm run synth`: synthesises every example's `sluice.config.ts` into `dist/<example>/`, one YAML file per
 * cdk8s chart. Each directory is replaced whole so that nothing stale survives; output is deterministic.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, YamlOutputType } from 'cdk8s';
import { stringify } from 'yaml';
import { SluiceConfigSchema, synthesizeConfig, type SluiceConfigInput } from '@sluice/manifests';

const examplesDirectory = dirname(fileURLToPath(import.meta.url));

/** Example directories that have an entry file, in name order. */
export function exampleNames(): string[] {
  return readdirSync(examplesDirectory, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(examplesDirectory, entry.name, 'sluice.config.ts')),
    )
    .map((entry) => entry.name)
    .sort();
}

/** Synthesises one example into `<outdir>/<name>/`; returns the files written. */
export async function synthExample(name: string, outdir: string): Promise<string[]> {
  const module = (await import(pathToFileURL(join(examplesDirectory, name, 'sluice.config.ts')).href)) as {
    default: ((app: App) => void) | SluiceConfigInput;
  };
  const target = join(outdir, name);
  rmSync(target, { recursive: true, force: true });
  if (typeof module.default !== 'function') {
    // A defineSluiceConfig() document: one file per component, as the build-function examples get one per chart.
    mkdirSync(target, { recursive: true });
    for (const component of synthesizeConfig(SluiceConfigSchema.parse(module.default))) {
      writeFileSync(
        join(target, `${component.name}.yaml`),
        component.objects.map((object) => `---\n${stringify(object)}`).join(''),
      );
    }
    return readdirSync(target).sort();
  }
  const app = new App({
    outdir: target,
    outputFileExtension: '.yaml',
    yamlOutputType: YamlOutputType.FILE_PER_CHART,
  });
  module.default(app);
  app.synth();
  return readdirSync(target).sort();
}

async function main(): Promise<void> {
  const outdir = resolve(process.argv[2] ?? join(examplesDirectory, '..', 'dist'));
  for (const name of exampleNames()) {
    const files = await synthExample(name, outdir);
    console.log(`${join(outdir, name)}: ${files.join(', ')}`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
