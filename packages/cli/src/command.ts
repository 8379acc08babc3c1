import type { CliIo } from './cli-io.js';

/** One option of a command, in node:util parseArgs terms, plus help text. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly description: string;
  /** Shown in help as the value's placeholder, e.g. FILE. */
  readonly valueName?: string;
  readonly multiple?: boolean;
}

export interface ParsedArguments {
  readonly options: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

export interface Command {
  /** Words that select the command, e.g. ['blueprints', 'values']. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Positional arguments for the usage line, e.g. 'FILE'. */
  readonly positionals?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Returns the exit code; throws CliError for failures and bad input. */
  run(args: ParsedArguments, io: CliIo): Promise<number>;
}
