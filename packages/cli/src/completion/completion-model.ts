import type { Command } from '../command.js';

/** How the shell should complete an option's value. */
export type ValueCompletion =
  | { readonly kind: 'none' }
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'files' };

export interface CompletionOption {
  readonly long: string;
  readonly short?: string;
  readonly description: string;
  /** Undefined for a flag (a boolean option). */
  readonly value?: ValueCompletion;
}

export interface CompletionCommand {
  /** The command's words joined by one space, e.g. `blueprints values`. */
  readonly path: string;
  readonly summary: string;
  readonly options: readonly CompletionOption[];
  readonly positionals: ValueCompletion;
}

/** What every generated script knows: each command with its options, and what follows each prefix. */
export interface CompletionModel {
  readonly commands: readonly CompletionCommand[];
  /** Every word sequence that is a command or leads to one ('' for the top level) and its next words. */
  readonly next: ReadonlyMap<string, readonly { readonly word: string; readonly summary: string }[]>;
}

// Values named like paths complete as file names; anything else free-form completes to nothing.
const PATH_VALUE = /FILE|DIR|PATH/;

export function completionModel(commands: readonly Command[]): CompletionModel {
  const next = new Map<string, { word: string; summary: string }[]>();
  for (const command of commands) {
    command.path.forEach((word, index) => {
      const prefix = command.path.slice(0, index).join(' ');
      const list = next.get(prefix) ?? [];
      const isLeaf = index === command.path.length - 1;
      if (!list.some((entry) => entry.word === word))
        list.push({ word, summary: isLeaf ? command.summary : `${word} commands` });
      next.set(prefix, list);
    });
  }
  return {
    next,
    commands: commands.map((command) => ({
      path: command.path.join(' '),
      summary: command.summary,
      options: [
        ...Object.entries(command.options).map(([long, spec]) => ({
          long,
          ...(spec.short !== undefined ? { short: spec.short } : {}),
          description: spec.description,
          ...(spec.type === 'string'
            ? {
                value:
                  spec.choices !== undefined
                    ? ({ kind: 'words', words: spec.choices } as const)
                    : PATH_VALUE.test(spec.valueName ?? '')
                      ? ({ kind: 'files' } as const)
                      : ({ kind: 'none' } as const),
              }
            : {}),
        })),
        { long: 'help', short: 'h', description: 'Show help for this command.' },
      ],
      positionals:
        command.positionalChoices !== undefined
          ? { kind: 'words', words: command.positionalChoices() }
          : command.positionals !== undefined && PATH_VALUE.test(command.positionals)
            ? { kind: 'files' }
            : { kind: 'none' },
    })),
  };
}

/** `text` as one single-quoted POSIX shell word (bash and zsh). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
