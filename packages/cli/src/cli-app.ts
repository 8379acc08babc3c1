import { didYouMean } from '@sluice/spec';
import { optionUsage, parseArguments } from './arguments/parse-arguments.js';
import { CliError, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import type { Command, OptionSpec } from './command.js';

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'Show help for this command.' };
const EXIT_CODES = 'Exit codes: 0 success, 1 failure, 2 bad input.';

function optionLine(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  const required = spec.required ? ' (required)' : '';
  return `  ${short}${optionUsage(name, spec)}`.padEnd(36) + spec.description + required;
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
    EXIT_CODES,
    '',
  ].join('\n');
}

/** The commands under `prefix` (all of them for an empty prefix), one line each. */
export function overview(commands: readonly Command[], prefix: readonly string[] = []): string {
  const shown = commands.filter((command) => prefix.every((word, index) => command.path[index] === word));
  const width = Math.max(...shown.map((command) => command.path.join(' ').length));
  return [
    `Usage: sluicectl ${prefix.length > 0 ? `${prefix.join(' ')} ` : ''}COMMAND [options]`,
    '',
    'Commands:',
    ...shown.map((command) => `  ${command.path.join(' ').padEnd(width)}  ${command.summary}`),
    '',
    `Run \`sluicectl help COMMAND\` or \`sluicectl COMMAND --help\` for a command's options. ${EXIT_CODES}`,
    '',
  ].join('\n');
}

/** The command `words` start with (the longest path), or undefined. */
export function findCommand(commands: readonly Command[], words: readonly string[]): Command | undefined {
  return commands
    .filter((command) => command.path.every((word, index) => words[index] === word))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

/**
 * What to say for words that name no command: a whole group (`blueprints`) gets its overview; anything
 * else is unknown, with the closest command or subcommand as a suggestion.
 */
export function unknownCommand(
  commands: readonly Command[],
  words: readonly string[],
): { readonly known: boolean; readonly group: readonly string[]; readonly message: string } {
  const [first = '', second] = words;
  const groups = [...new Set(commands.map((command) => command.path[0] ?? ''))];
  if (!groups.includes(first)) {
    return { known: false, group: [], message: `unknown command "${first}"${didYouMean(first, groups)}` };
  }
  if (second === undefined) return { known: true, group: [first], message: '' };
  const subcommands = commands.flatMap((command) =>
    command.path[0] === first && command.path[1] !== undefined ? [command.path[1]] : [],
  );
  const suggestion = didYouMean(second, subcommands);
  return {
    known: false,
    group: [first],
    message: `unknown command "${first} ${second}"${suggestion.replace(/"([^"]+)"/, `"${first} $1"`)}`,
  };
}

/** Runs sluicectl with `argv` (without node and script) and returns the exit code. Never throws. */
export async function runCli(
  commands: readonly Command[],
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  // `sluicectl --version` is `sluicectl version`, as in helm and kubectl.
  const words =
    argv[0] === '--version' && findCommand(commands, ['version']) ? ['version', ...argv.slice(1)] : [...argv];
  const command = findCommand(commands, words);
  if (command === undefined) {
    if (words.length === 0 || words[0] === '--help' || words[0] === '-h') {
      io.stdout(overview(commands));
      return EXIT_OK;
    }
    const named = words.filter((word) => !word.startsWith('-'));
    if (named.length === 0) {
      // Only options and no command: the top level takes --help and --version.
      const option = words[0] ?? '';
      io.stderr(
        `sluicectl: unknown option ${option}${didYouMean(option, ['--help', '--version'])}; name a COMMAND first\n\n${overview(commands)}`,
      );
      return EXIT_BAD_INPUT;
    }
    const unknown = unknownCommand(commands, named);
    if (unknown.known) {
      const asked = words.includes('--help') || words.includes('-h');
      (asked ? io.stdout : io.stderr)(overview(commands, unknown.group));
      return asked ? EXIT_OK : EXIT_BAD_INPUT;
    }
    io.stderr(`sluicectl: ${unknown.message}\n\n${overview(commands, unknown.group)}`);
    return EXIT_BAD_INPUT;
  }
  const name = `sluicectl ${command.path.join(' ')}`;
  try {
    const parsed = parseArguments(words.slice(command.path.length), command.options);
    if (parsed.help) {
      io.stdout(commandHelp(command));
      return EXIT_OK;
    }
    const problems = [...parsed.problems];
    if (command.positionals === undefined && parsed.positionals.length > 0)
      problems.push(
        `unexpected argument${parsed.positionals.length > 1 ? 's' : ''} ${parsed.positionals.map((word) => `"${word}"`).join(' ')}`,
      );
    if (problems.length > 0) {
      io.stderr(`${name}: ${problems.join(`\n${name}: `)}\nRun \`${name} --help\`.\n`);
      return EXIT_BAD_INPUT;
    }
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`${name}: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`${name}: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_FAILURE;
  }
}
