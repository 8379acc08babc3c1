/** Where the repository's outputs and the components' built executables are. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bin, type ComponentName } from '@sluice/e2e-kit';

/** The repository itself (its charts, its `dist/bench`), from this file's location. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A component's bin, resolved by package name: the benchmarks run what `npm run build` produced, as a deployment would. */
export function packageMain(name: ComponentName): string {
  return bin(name);
}

/** The packages whose builds are missing; the benchmarks run the built code, so they need `npm run build`. */
export function missingBuilds(): string[] {
  return (['agent', 'controller', 'proxy', 'demo'] as const).filter((name) => !existsSync(packageMain(name)));
}

/** `dist/bench` at the repository root. */
export const OUTPUT_DIR = join(REPO_ROOT, 'dist', 'bench');

/** The tsx loader as a URL for `node --import`, so helper processes run from TypeScript wherever the cwd is. */
export const TSX_LOADER = import.meta.resolve('tsx');
