/**
 * Portability check for regular expressions that leave TypeScript. Helm 3 (gojsonschema) and Helm 4
 * (santhosh-tekuri/jsonschema) validate `values.schema.json` with Go's `regexp`, and the Kubernetes API
 * server compiles CRD `pattern`s with it too: that is RE2, which has no backtracking constructs. A pattern
 * zod accepts in JavaScript can therefore fail to load, or silently mean something else, in Go.
 *
 * @see https://github.com/google/re2/wiki/Syntax
 */

/** One construct of a pattern that RE2 rejects or reads differently from JavaScript. */
export interface Re2Problem {
  /** Offset of the construct in the pattern. */
  readonly index: number;
  /** The offending text, e.g. `(?=` or `\1`. */
  readonly construct: string;
  /** What it is and what to write instead. */
  readonly reason: string;
}

/** Thrown when an exported schema holds a pattern Go's RE2 cannot compile the way JavaScript does. */
export class Re2PatternError extends Error {
  constructor(
    /** Where the pattern sits, e.g. `#/properties/spec/properties/name/pattern`. */
    readonly where: string,
    readonly pattern: string,
    readonly problems: readonly Re2Problem[],
  ) {
    const details = problems.map((p) => `${p.construct} at offset ${p.index}: ${p.reason}`).join('; ');
    super(
      `pattern at ${where} is not RE2-compatible (Helm and the Kubernetes API server use Go's regexp): ` +
        `${JSON.stringify(pattern)}: ${details}`,
    );
    this.name = 'Re2PatternError';
  }
}

/** Letter escapes that mean the same in JavaScript and RE2; any other letter escape differs or fails. */
const SHARED_LETTER_ESCAPES = 'bBdDfnrsStvwWxpP';

/** Go's regexp refuses repetition counts above this (`invalid repeat count`). */
const MAX_REPEAT = 1000;

const GROUP_PREFIXES: readonly { readonly prefix: string; readonly reason: string }[] = [
  { prefix: '(?<=', reason: 'lookbehind is not supported by RE2' },
  { prefix: '(?<!', reason: 'negative lookbehind is not supported by RE2' },
  { prefix: '(?=', reason: 'lookahead is not supported by RE2' },
  { prefix: '(?!', reason: 'negative lookahead is not supported by RE2' },
  { prefix: '(?>', reason: 'atomic groups are not supported by RE2' },
  { prefix: '(?(', reason: 'conditionals are not supported by RE2' },
  { prefix: '(?R', reason: 'recursion is not supported by RE2' },
  {
    prefix: '(?<',
    reason:
      'named groups are written differently in JavaScript and older Go; use a non-capturing group (?:...)',
  },
];

/** Lists every construct in `pattern` that Go's RE2 rejects or reads differently; empty when portable. */
export function findRe2Problems(pattern: string): Re2Problem[] {
  const problems: Re2Problem[] = [];
  const report = (index: number, construct: string, reason: string) =>
    problems.push({ index, construct, reason });
  let inClass = false;
  // True right after a quantifier, so that a following `+` is possessive and a `?` makes it lazy.
  let afterQuantifier = false;
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i];
    const wasAfterQuantifier = afterQuantifier;
    afterQuantifier = false;
    if (char === '\\') {
      i += escapeLength(pattern, i, inClass, report);
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      i += 1;
      continue;
    }
    switch (char) {
      case '[': {
        const negated = pattern[i + 1] === '^';
        const first = i + (negated ? 2 : 1);
        if (pattern[first] === ']') {
          report(
            i,
            pattern.slice(i, first + 1),
            'an empty class means "nothing"/"anything" in JavaScript but starts a class containing "]" in RE2',
          );
          i = first + 1;
        } else {
          inClass = true;
          i = first;
        }
        continue;
      }
      case '(': {
        if (pattern[i + 1] === '?') {
          const group = GROUP_PREFIXES.find((g) => pattern.startsWith(g.prefix, i));
          if (group) report(i, group.prefix, group.reason);
          i += 2;
        } else {
          i += 1;
        }
        continue;
      }
      case '*':
      case '+':
      case '?':
        if (wasAfterQuantifier && char === '+') {
          report(i - 1, pattern.slice(i - 1, i + 1), 'possessive quantifiers are not supported by RE2');
        } else if (!(wasAfterQuantifier && char === '?')) {
          afterQuantifier = true;
        }
        i += 1;
        continue;
      case '{': {
        const repeat = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (repeat) {
          const counts = [repeat[1], repeat[3]].filter((n): n is string => n !== undefined && n !== '');
          if (counts.some((n) => Number(n) > MAX_REPEAT)) {
            report(i, repeat[0], `repetition counts above ${MAX_REPEAT} are rejected by Go's regexp`);
          }
          afterQuantifier = true;
          i += repeat[0].length;
          continue;
        }
        i += 1;
        continue;
      }
      default:
        i += 1;
    }
  }
  return problems;
}

/** Length of the escape sequence starting at `start` (a backslash), reporting unportable escapes. */
function escapeLength(
  pattern: string,
  start: number,
  inClass: boolean,
  report: (index: number, construct: string, reason: string) => void,
): number {
  const next = pattern[start + 1];
  if (next === undefined) {
    report(start, '\\', 'a trailing backslash is an error in RE2');
    return 1;
  }
  if (next >= '1' && next <= '9') {
    const reason = inClass
      ? 'a digit escape inside a class is an octal or identity escape in JavaScript and an error in RE2'
      : 'backreferences are not supported by RE2';
    report(start, `\\${next}`, reason);
  } else if (next === 'k' && pattern[start + 2] === '<') {
    report(start, '\\k<', 'named backreferences are not supported by RE2');
  } else if (next === 'u') {
    report(start, '\\u', 'RE2 has no \\u escape; write \\x{HHHH}');
  } else if (next === 'c') {
    report(start, '\\c', 'RE2 has no control-character escape \\cX');
  } else if (/[A-Za-z]/.test(next) && !SHARED_LETTER_ESCAPES.includes(next)) {
    report(
      start,
      `\\${next}`,
      'this letter escape is a literal in JavaScript but an error or a different class in RE2',
    );
  }
  return 2;
}

/** Throws a {@link Re2PatternError} naming `where` when `pattern` is not portable to Go's RE2. */
export function assertRe2Pattern(pattern: string, where: string): void {
  const problems = findRe2Problems(pattern);
  if (problems.length > 0) throw new Re2PatternError(where, pattern, problems);
}
