import { readFileSync } from 'node:fs';
import { EXIT_OK } from '../cli-error.js';
import type { Command } from '../command.js';
import { outputOption, parseOutputFormat, renderData, renderRecords } from '../output-format.js';

/** sluicectl's version and where it runs; `version` reads it from the package, so a release cannot forget it. */
export interface VersionInfo {
  readonly version: string;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
}

export function versionInfo(): VersionInfo {
  // src/commands and dist/commands both sit two levels below the package.
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return { version: manifest.version, node: process.version, platform: process.platform, arch: process.arch };
}

export const versionCommand: Command = {
  path: ['version'],
  summary: "Print sluicectl's version (also `sluicectl --version`).",
  options: { output: outputOption() },
  async run(args, io) {
    const format = parseOutputFormat(args.options['output'] as string | undefined);
    const info = versionInfo();
    io.stdout(
      format === 'table'
        ? renderRecords(
            format,
            [info],
            [
              { title: 'VERSION', cell: (row) => row.version },
              { title: 'NODE', cell: (row) => row.node },
              { title: 'PLATFORM', cell: (row) => `${row.platform}/${row.arch}` },
            ],
          )
        : renderData(format, info),
    );
    return EXIT_OK;
  },
};
