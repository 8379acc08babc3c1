import { didYouMean } from '@sluice/spec';
import type { OptionSpec, ParsedArguments } from '../command.js';

type OptionValue = string | boolean | string[];

/** The words after the command, parsed; `problems` lists every mistake found, in order, in our words. */
export interface ArgumentsResult extends ParsedArguments {
  readonly help: boolean;
  readonly problems: readonly string[];
}

/** `--name VALUE` for help and errors. */
export function optionUsage(name: string, spec: OptionSpec): string {
  return spec.type === 'string' ? `--${name} ${spec.valueName ?? 'VALUE'}` : `--${name}`;
}

/** Why `value` is not an http(s) URL with a host, or undefined when it is one. */
export function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL; expected http://HOST[:PORT][/PATH] or https://…';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `has scheme ${url.protocol.replace(/:$/, '')}; expected http or https`;
  if (url.hostname === '') return 'has no host; expected http://HOST[:PORT][/PATH] or https://…';
  return undefined;
}

function valueProblem(name: string, spec: OptionSpec, value: string): string | undefined {
  if (spec.choices !== undefined && !spec.choices.includes(value)) {
    const flag = spec.short ? `-${spec.short}/--${name}` : `--${name}`;
    return `${flag}: "${value}" is not allowed; use one of ${spec.choices.join(', ')}${didYouMean(value, spec.choices)}`;
  }
  if (spec.format === 'url') {
    const problem = urlProblem(value);
    if (problem !== undefined) return `--${name}: "${value}" ${problem}`;
  }
  return undefined;
}

/**
 * Parses `words` against `options` (plus -h/--help) the way kubectl and helm users expect: `--name VALUE`,
 * `--name=VALUE`, `-o VALUE`, `-oVALUE`, `-` as a positional (standard input) and `--` ending options.
 * Never throws: every unknown option (with a did-you-mean), missing value and missing required option is
 * collected, so one run reports them all.
 */
export function parseArguments(
  words: readonly string[],
  options: Readonly<Record<string, OptionSpec>>,
): ArgumentsResult {
  const values: Record<string, OptionValue> = {};
  const positionals: string[] = [];
  const problems: string[] = [];
  let help = false;
  const names = Object.keys(options);
  const byShort = new Map(
    Object.entries(options).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])),
  );

  const assign = (name: string, spec: OptionSpec, value: string) => {
    const problem = valueProblem(name, spec, value);
    if (problem !== undefined) problems.push(problem);
    if (spec.multiple) {
      const previous = values[name];
      values[name] = [...(Array.isArray(previous) ? previous : []), value];
    } else values[name] = value;
  };

  for (let index = 0; index < words.length; index++) {
    const word = words[index] ?? '';
    if (word === '--') {
      positionals.push(...words.slice(index + 1));
      break;
    }
    if (word === '-' || !word.startsWith('-')) {
      positionals.push(word);
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    let written: string;
    if (word.startsWith('--')) {
      const at = word.indexOf('=');
      written = at < 0 ? word : word.slice(0, at);
      name = written.slice(2);
      inline = at < 0 ? undefined : word.slice(at + 1);
    } else {
      written = word.slice(0, 2);
      name = byShort.get(word.slice(1, 2)) ?? (word[1] === 'h' ? 'help' : undefined);
      const rest = word.slice(2).replace(/^=/, '');
      inline = rest === '' ? undefined : rest;
    }
    if (name === 'help') {
      help = true;
      continue;
    }
    const spec = name === undefined ? undefined : options[name];
    if (name === undefined || spec === undefined) {
      const known = [...names.map((known) => `--${known}`), '--help'];
      problems.push(`unknown option ${written}${didYouMean(written, known)}`);
      continue;
    }
    if (spec.type === 'boolean') {
      if (inline !== undefined) problems.push(`${written} takes no value (got "${inline}")`);
      else values[name] = true;
      continue;
    }
    if (inline !== undefined) {
      assign(name, spec, inline);
      continue;
    }
    const next = words[index + 1];
    if (next === undefined || (next.startsWith('-') && next !== '-')) {
      // A value that starts with "-" must be attached, or it would be read as the next option.
      problems.push(
        `${written} needs a value (${spec.valueName ?? 'VALUE'}); for one starting with "-" write ${written}=VALUE`,
      );
      continue;
    }
    assign(name, spec, next);
    index++;
  }

  const missing = Object.entries(options).filter(
    ([name, spec]) => spec.required === true && (values[name] === undefined || values[name] === ''),
  );
  if (missing.length > 0)
    problems.push(
      `missing required option${missing.length > 1 ? 's' : ''}: ${missing.map(([name, spec]) => optionUsage(name, spec)).join(', ')}`,
    );
  return { options: values, positionals, help, problems };
}
