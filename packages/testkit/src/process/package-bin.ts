import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The absolute path of a workspace package's bin, resolved by package name as Node would from
 * `fromUrl` (the caller's `import.meta.url`), so the caller must declare the package as a dependency
 * and the build order follows. Needs `"./package.json"` in the package's exports.
 */
export function packageBin(packageName: string, fromUrl: string, binName?: string): string {
  const manifestPath = createRequire(fromUrl).resolve(`${packageName}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const bins = typeof manifest.bin === 'string' ? { [packageName]: manifest.bin } : (manifest.bin ?? {});
  const names = Object.keys(bins);
  const chosen = binName ?? (names.length === 1 ? names[0] : undefined);
  const relative = chosen === undefined ? undefined : bins[chosen];
  if (relative === undefined) {
    throw new Error(
      `${manifestPath}: no bin ${binName === undefined ? '(name it: several or none)' : `'${binName}'`}; it has: ${names.join(', ') || 'none'}`,
    );
  }
  return join(dirname(manifestPath), relative);
}
