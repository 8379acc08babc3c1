import { parseArgs } from 'node:util';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import type { Command, OptionSpec, ParsedArguments } from './command.js';

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'Show help for this command.' };

function optionLine(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
  return `  ${short}--${name}${value}`.padEnd(36) + spec.description;
}

export function commandHelp(command: Command): string {
  const options = { ...command.options, help: HELP_OPTION };
  return [
    `Usage: sluicectl ${command.path.join(' ')}${command.positionals ? ` ${command.positionals}` : ''} [options]`,
    '',
    command.summary,
    '',
    'Options:',
    ...Object.entries(options).map(([name, spec]) => optionLine(name, spec)),
    '',
    'Exit codes: 0 success, 1 failure, 2 bad input.',
    '',
  ].join('\n');
}

function overview(commands: readonly Command[], prefix: readonly string[] = []): string {
  const shown = commands.filter((command) => prefix.every((word, index) => command.path[index] === word));
  const width = Math.max(...shown.map((command) => command.path.join(' ').length));
  return [
    `Usage: sluicectl ${prefix.length > 0 ? `${prefix.join(' ')} ` : ''}COMMAND [options]`,
    '',
    'Commands:',
    ...shown.map((command) => `  ${command.path.join(' ').padEnd(width)}  ${command.summary}`),
    '',
    "Run `sluicectl COMMAND --help` for a command's options. Exit codes: 0 success, 1 failure, 2 bad input.",
    '',
  ].join('\n');
}

function parse(command: Command, words: string[]): ParsedArguments & { help: boolean } {
  const options = { ...command.options, help: HELP_OPTION };
  const config = Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [
      name,
      {
        type: spec.type,
        ...(spec.short ? { short: spec.short } : {}),
        ...(spec.multiple ? { multiple: true } : {}),
      },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({
      args: words,
      options: config,
      allowPositionals: true,
      strict: true,
    });
    const { help, ...rest } = values as Record<string, string | boolean | string[] | undefined>;
    return { options: rest, positionals, help: help === true };
  } catch (error) {
    // parseArgs' messages name the bad option; say which command and how to get help.
    throw new CliError(
      `${(error as Error).message}\nRun \`sluicectl ${command.path.join(' ')} --help\`.`,
      EXIT_BAD_INPUT,
    );
  }
}

/** Runs sluicectl with `argv` (without node and script) and returns the exit code. Never throws. */
export async function runCli(
  commands: readonly Command[],
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const words = [...argv];
  const matches = commands
    .filter((command) => command.path.every((word, index) => words[index] === word))
    .sort((a, b) => b.path.length - a.path.length);
  const command = matches[0];
  if (command === undefined) {
    if (words.length === 0 || words[0] === '--help' || words[0] === '-h' || words[0] === 'help') {
      io.stdout(overview(commands));
      return EXIT_OK;
    }
    const prefix = words.filter((word) => !word.startsWith('-'));
    const group = commands.some((candidate) => candidate.path[0] === prefix[0]) ? prefix.slice(0, 1) : [];
    if (group.length > 0 && (words.length === 1 || words.includes('--help') || words.includes('-h'))) {
      io.stdout(overview(commands, group));
      return words.length === 1 ? EXIT_BAD_INPUT : EXIT_OK;
    }
    io.stderr(`sluicectl: unknown command "${prefix.join(' ')}"\n\n${overview(commands, group)}`);
    return EXIT_BAD_INPUT;
  }
  try {
    const parsed = parse(command, words.slice(command.path.length));
    if (parsed.help) {
      io.stdout(commandHelp(command));
      return EXIT_OK;
    }
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`sluicectl ${command.path.join(' ')}: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`sluicectl ${command.path.join(' ')}: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_FAILURE;
  }
}
