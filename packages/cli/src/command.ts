import type { CliIo } from './cli-io.js';

/** One option of a command: how it parses, how help and completion show it, and what it accepts. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly description: string;
  /** Shown in help as the value's placeholder, e.g. FILE. */
  readonly valueName?: string;
  readonly multiple?: boolean;
  /** Missing required options are all reported together, before the command runs. */
  readonly required?: boolean;
  /** The only values allowed (e.g. output formats); also offered by shell completion. */
  readonly choices?: readonly string[];
  /** `url`: an http:// or https:// URL with a host. */
  readonly format?: 'url';
}

export interface ParsedArguments {
  readonly options: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

export interface Command {
  /** Words that select the command, e.g. ['blueprints', 'values']. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Positional arguments for the usage line, e.g. 'FILE'. Without it the command takes none. */
  readonly positionals?: string;
  /** Words the positionals may be, offered by shell completion (e.g. bash, zsh, fish). */
  readonly positionalChoices?: () => readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Returns the exit code; throws CliError for failures and bad input. */
  run(args: ParsedArguments, io: CliIo): Promise<number>;
}
