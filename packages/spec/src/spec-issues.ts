import type { z } from 'zod';
import { didYouMean } from './closest-name.js';
import { knownKeysAt } from './schema-keys.js';

/** One problem with an input document: where it is, what was there, and what is allowed. */
export interface SpecIssue {
  /** JSON-ish path such as `spec.loadSchedulers[0].workloads[1].priority` (empty for the root). */
  readonly path: string;
  /** The offending value, rendered compactly (`<missing>` when absent). */
  readonly value: string;
  /** What is allowed there. */
  readonly allowed: string;
}

export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: SpecIssue[] };

/** Thrown by the `...OrThrow` parsers; its message lists every issue, one per line. */
export class SpecValidationError extends Error {
  constructor(
    readonly source: string,
    readonly issues: SpecIssue[],
  ) {
    super(`${source} is invalid:\n${issues.map((issue) => `  - ${formatIssue(issue)}`).join('\n')}`);
    this.name = 'SpecValidationError';
  }
}

export function formatIssue(issue: SpecIssue): string {
  return `${issue.path || '(root)'}: ${issue.value} is not allowed; ${issue.allowed}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment))
      out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

const MISSING = Symbol('missing');

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return MISSING;
    if (!(segment in (current as object))) return MISSING;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function renderValue(value: unknown): string {
  if (value === MISSING || value === undefined) return '<missing>';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeAllowed(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'array' || issue.origin === 'string'
        ? `must have at least ${String(issue.minimum)} ${issue.origin === 'array' ? 'item(s)' : 'character(s)'}`
        : `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'array' || issue.origin === 'string'
        ? `must have at most ${String(issue.maximum)} ${issue.origin === 'array' ? 'item(s)' : 'character(s)'}`
        : `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
    case 'invalid_value':
      return `allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.message && !issue.message.startsWith('Invalid')
        ? issue.message
        : `must match ${issue.pattern ?? issue.format}`;
    case 'unrecognized_keys':
      return 'unknown field';
    case 'invalid_union':
      return issue.message;
    case 'invalid_key': {
      // What the key broke (a record's key schema), rather than zod's "Invalid key in record".
      const inner = issue.issues[0];
      return inner === undefined ? issue.message : `key ${describeAllowed(inner)}`;
    }
    default:
      return issue.message;
  }
}

/**
 * Turns zod issues into path-precise ones, reading the offending value from the input. Given the schema,
 * an unknown key also names the nearest allowed one (`unknown field (did you mean "limitByLabelKey"?)`).
 */
export function toSpecIssues(
  input: unknown,
  error: z.core.$ZodError,
  basePath: readonly PropertyKey[] = [],
  schema?: z.core.$ZodType,
): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // One issue per key, so each misspelling is reported at its own path.
      const known = schema === undefined ? [] : knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const path = [...basePath, ...issue.path, key];
        issues.push({
          path: formatPath(path),
          value: renderValue(valueAt(input, [...issue.path, key])),
          allowed: `unknown field${didYouMean(key, known)}`,
        });
      }
      continue;
    }
    issues.push({
      path: formatPath([...basePath, ...issue.path]),
      value: renderValue(valueAt(input, issue.path)),
      allowed: describeAllowed(issue),
    });
  }
  return issues;
}

/** Parses with a zod schema and returns a result with path-precise issues instead of throwing. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: toSpecIssues(input, result.error, [], schema) };
}
