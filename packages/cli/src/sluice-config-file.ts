import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'cdk8s';
import {
  componentsOfApp,
  SluiceConfigSchema,
  synthesizeConfig,
  type GitOpsComponent,
  type SluiceConfig,
} from '@sluice/manifests';
import { parseWith } from '@sluice/spec';
import { badInput } from './cli-error.js';
import { formatDiagnostic, typecheckConfig } from './config-typecheck.js';
import { readDocument, STDIN_NAME } from './input-file.js';
import { issuesMessage } from './commands/blueprints-commands.js';

/** A loaded config: a values document (both modes), or a build function over a cdk8s App (plain mode only). */
export type LoadedConfig =
  | { readonly kind: 'values'; readonly config: SluiceConfig }
  | { readonly kind: 'build'; readonly build: (app: App) => void };

const SCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);
const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts']);

export interface LoadOptions {
  /** Type-check a TypeScript config with the compiler before loading it (tsx alone never does). @default true */
  readonly typecheck?: boolean;
  /** Standard input, for `-` (a YAML/JSON config). */
  readonly stdin?: () => string;
}

/**
 * Reads `sluice.config.ts` (default export: `defineSluiceConfig({...})` or a `build(app)` function) or a
 * YAML/JSON values file shaped like `SluiceConfigSchema`. TypeScript is type-checked with the compiler,
 * then loaded with tsx, so no build step is needed.
 */
export async function loadSluiceConfig(
  cwd: string,
  file: string,
  options: LoadOptions = {},
): Promise<LoadedConfig> {
  let document: unknown;
  if (TYPESCRIPT_EXTENSIONS.has(extname(file)) && options.typecheck !== false) {
    const diagnostics = typecheckConfig(cwd, file);
    if (diagnostics.length > 0) {
      throw badInput(
        `${file}: does not type-check (--no-typecheck skips this):\n${diagnostics.map(formatDiagnostic).join('\n')}`,
      );
    }
  }
  if (SCRIPT_EXTENSIONS.has(extname(file))) {
    const { tsImport } = await import('tsx/esm/api');
    let module: { default?: unknown };
    try {
      module = (await tsImport(pathToFileURL(resolve(cwd, file)).href, import.meta.url)) as {
        default?: unknown;
      };
    } catch (error) {
      // defineSluiceConfig's own check: every issue, not only the first line. By name, as the config may
      // load its own copy of @sluice/spec.
      if ((error as Error).name === 'SpecValidationError')
        throw badInput(`${file}: ${(error as Error).message}`);
      throw badInput(`${file}: cannot load: ${(error as Error).message.split('\n')[0]}`);
    }
    const exported = defaultExport(module);
    if (typeof exported === 'function') return { kind: 'build', build: exported as (app: App) => void };
    if (exported === undefined)
      throw badInput(`${file}: needs a default export: defineSluiceConfig({...}) or a build(app) function`);
    document = exported;
  } else {
    // `-` reads a YAML/JSON config from standard input.
    const { stdin } = options;
    document = readDocument({ cwd, ...(stdin !== undefined ? { stdin } : {}) }, file);
  }
  const parsed = parseWith(SluiceConfigSchema, document);
  if (!parsed.ok) throw badInput(issuesMessage(file === '-' ? STDIN_NAME : file, parsed));
  return { kind: 'values', config: parsed.value };
}

/**
 * The config's default export. In a project without `"type": "module"` tsx loads the file as CommonJS, and
 * importing CommonJS from ESM hands over `module.exports` as the default: `{ default: build }` (plus the
 * `__esModule` marker TypeScript adds). Unwrapped here so both project kinds load the same config.
 */
export function defaultExport(module: { default?: unknown }): unknown {
  const value = module.default;
  if (value === null || typeof value !== 'object' || !('default' in value)) return value;
  const keys = Object.keys(value).filter((key) => key !== '__esModule');
  return keys.length === 1 && keys[0] === 'default' ? (value as { default: unknown }).default : value;
}

/** Synthesises the config's components; construct errors (bad tenants, refused options) are bad input. */
export function componentsOf(file: string, loaded: LoadedConfig): GitOpsComponent[] {
  try {
    if (loaded.kind === 'values') return synthesizeConfig(loaded.config);
    const app = new App();
    loaded.build(app);
    return componentsOfApp(app, 'sluice-system');
  } catch (error) {
    throw badInput(`${file}: ${(error as Error).message}`);
  }
}
