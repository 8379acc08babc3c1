import { badInput, EXIT_OK } from '../cli-error.js';
import { commandHelp, findCommand, overview, unknownCommand } from '../cli-app.js';
import type { Command } from '../command.js';

/** `help [COMMAND...]`: the overview, a group's commands, or one command's help (as `COMMAND --help`). */
export function helpCommand(table: () => readonly Command[]): Command {
  return {
    path: ['help'],
    summary: "Show the commands, or a command's usage and options.",
    positionals: '[COMMAND...]',
    positionalChoices: () => [...new Set(table().map((command) => command.path[0] ?? ''))],
    options: {},
    async run(args, io) {
      const commands = table();
      const words = args.positionals;
      if (words.length === 0) {
        io.stdout(overview(commands));
        return EXIT_OK;
      }
      const command = findCommand(commands, words);
      if (command !== undefined && command.path.length === words.length) {
        io.stdout(commandHelp(command));
        return EXIT_OK;
      }
      const unknown = unknownCommand(commands, words);
      if (unknown.known && words.length === 1) {
        io.stdout(overview(commands, unknown.group));
        return EXIT_OK;
      }
      const message = unknown.known ? `unknown command "${words.join(' ')}"` : unknown.message;
      throw badInput(`${message}; run \`sluicectl help\` for the list`);
    },
  };
}
