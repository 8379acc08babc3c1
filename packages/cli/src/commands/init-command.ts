import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { badInput, EXIT_OK } from '../cli-error.js';
import type { Command } from '../command.js';
import { packageNameFor, projectFiles } from '../scaffold/project-files.js';

/** The TypeScript line Sluice's own declaration files are built with. */
const TYPESCRIPT_VERSION = '~5.9.3';

interface CliManifest {
  readonly version: string;
  readonly dependencies: Readonly<Record<string, string>>;
}

// dist/commands/ and src/commands/ both sit two levels under the package root.
function cliManifest(): CliManifest {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as CliManifest;
}

export const init: Command = {
  path: ['init'],
  summary:
    'Scaffold a project outside this repository: package.json, tsconfig, a typed sluice.config.ts, .gitignore, README.',
  positionals: 'DIR',
  options: {
    force: {
      type: 'boolean',
      description: 'Write into a non-empty DIR, replacing files of the same names (others are kept).',
    },
  },
  async run(args, io) {
    const [given, ...extra] = args.positionals;
    if (given === undefined) throw badInput('init: name the DIR to create, e.g. `sluicectl init my-sluice`');
    if (extra.length > 0) throw badInput(`init: one DIR only; also got ${extra.join(', ')}`);
    const directory = resolve(io.cwd, given);
    if (existsSync(directory)) {
      if (!statSync(directory).isDirectory()) throw badInput(`${given}: exists and is not a directory`);
      const entries = readdirSync(directory).sort();
      if (entries.length > 0 && args.options['force'] !== true) {
        const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length})` : '');
        throw badInput(
          `${given}: not empty (${shown}); choose a new DIR, or pass --force to write the scaffold into it (files of the same names are replaced)`,
        );
      }
    }
    const manifest = cliManifest();
    const files = projectFiles({
      name: packageNameFor(basename(directory)),
      manifestsVersion: manifest.dependencies['@sluice/manifests'] ?? manifest.version,
      cliVersion: manifest.version,
      typescriptVersion: TYPESCRIPT_VERSION,
    });
    mkdirSync(directory, { recursive: true });
    const shownDirectory = relative(io.cwd, directory) || '.';
    for (const [path, content] of files) {
      writeFileSync(join(directory, path), content);
      io.stdout(`wrote ${join(shownDirectory, path)}\n`);
    }
    io.stdout(`next: cd ${shownDirectory} && npm install && npm run synth\n`);
    return EXIT_OK;
  },
};
