import { didYouMean } from '@sluice/spec';
import { badInput, EXIT_OK } from '../cli-error.js';
import type { Command } from '../command.js';
import { bashCompletion } from '../completion/bash-completion.js';
import { fishCompletion } from '../completion/fish-completion.js';
import { zshCompletion } from '../completion/zsh-completion.js';

const SHELLS = {
  bash: bashCompletion,
  zsh: zshCompletion,
  fish: fishCompletion,
} as const satisfies Record<string, (commands: readonly Command[]) => string>;

/** `completion SHELL` over the command table `table` returns (a function: the table includes this command). */
export function completionCommand(table: () => readonly Command[]): Command {
  return {
    path: ['completion'],
    summary: 'Print a shell completion script: bash, zsh or fish.',
    positionals: 'SHELL',
    positionalChoices: () => Object.keys(SHELLS),
    options: {},
    async run(args, io) {
      const [shell, ...extra] = args.positionals;
      const shells = Object.keys(SHELLS);
      if (shell === undefined || extra.length > 0)
        throw badInput(`name exactly one SHELL: ${shells.join(', ')}`);
      if (!(shell in SHELLS))
        throw badInput(
          `SHELL "${shell}" is not supported; use one of ${shells.join(', ')}${didYouMean(shell, shells)}`,
        );
      io.stdout(SHELLS[shell as keyof typeof SHELLS](table()));
      return EXIT_OK;
    },
  };
}
