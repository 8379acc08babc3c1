/**
 * Finds relative paths in TypeScript source that leave the workspace they are written in: import and
 * export specifiers, `import()`, and `new URL('…', import.meta.url)`. A workspace is reached by package
 * name (a declared dependency, so the build order and the published graph know about it), never by
 * `../../`. Paths to the repository itself outside every workspace (examples/, charts/) are fine.
 */
import { posix } from 'node:path';

export interface Crossing {
  /** Repository-relative path of the file that holds the path. */
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  /** Repository-relative workspace directory the file is in, and the one the path lands in. */
  readonly from: string;
  readonly to: string;
}

const RELATIVE_PATHS = [
  /\bfrom\s+'(\.{1,2}\/[^']*)'/g,
  /\bimport\s*\(\s*'(\.{1,2}\/[^']*)'\s*\)/g,
  /\bimport\s+'(\.{1,2}\/[^']*)'/g,
  /\bnew\s+URL\(\s*[`'](\.{1,2}\/[^`']*)[`']\s*,\s*import\.meta\.url\s*\)/g,
];

/** The workspace directory (repository-relative, e.g. `packages/agent`) holding `path`, if any. */
export function workspaceOf(path: string, workspaces: readonly string[]): string | undefined {
  return workspaces
    .filter((workspace) => path === workspace || path.startsWith(`${workspace}/`))
    .sort((a, b) => b.length - a.length)[0];
}

/** Every relative path in `source` (the file at repository-relative `file`) that lands in another workspace. */
export function crossingsIn(file: string, source: string, workspaces: readonly string[]): Crossing[] {
  const from = workspaceOf(file, workspaces);
  if (from === undefined) return [];
  const crossings: Crossing[] = [];
  source.split('\n').forEach((text, index) => {
    for (const pattern of RELATIVE_PATHS) {
      for (const match of text.matchAll(pattern)) {
        const specifier = match[1] ?? '';
        const templated = specifier.includes('${');
        // Only the part before a run-time `${…}` is known; it still says which directory the path picks from.
        const known = templated ? specifier.slice(0, specifier.indexOf('${')) : specifier;
        const target = posix.normalize(posix.join(posix.dirname(file), known)).replace(/\/$/, '');
        const to = workspaceOf(target, workspaces);
        const intoSibling = to !== undefined && to !== from;
        // `../../${name}/…` from packages/x/src picks a sibling workspace at run time.
        const picksSibling =
          templated &&
          to === undefined &&
          workspaces.some((workspace) => workspace !== from && workspace.startsWith(`${target}/`));
        if (intoSibling || picksSibling) {
          crossings.push({ file, line: index + 1, specifier, from, to: to ?? `${target}/*` });
        }
      }
    }
  });
  return crossings;
}
