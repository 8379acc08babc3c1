import { createHash } from 'node:crypto';
import {
  goEmpty,
  goQuote,
  goToInt,
  goToJson,
  goToString,
  goTrimSuffix,
  goTrunc,
  goTruthy,
} from './go-semantics.js';

/**
 * The values-expression layer: a small typed AST whose nodes evaluate in TypeScript (cdk8s synthesis) and
 * print as Go template operands (Helm). Every node's two meanings are written side by side, so a construct
 * built from nodes renders the same objects either way; the equality tests hold the two to account.
 */

/** What `helm template` knows about the release, mirrored for synthesis. */
export interface ReleaseInfo {
  readonly name: string;
  readonly namespace: string;
}

/** What `helm template` knows about the chart (`.Chart`). */
export interface ChartInfo {
  readonly name: string;
  readonly version: string;
  readonly appVersion: string;
}

/** Everything an expression may read when it is evaluated in TypeScript. */
export interface EvalContext {
  /** Stands for `.Values`; only `value()` nodes read it. */
  readonly values: unknown;
  readonly release: ReleaseInfo;
  readonly chart: ChartInfo;
  /** Loop variables bound by `each`, keyed by their Go name (`$item0`). */
  readonly locals: ReadonlyMap<string, unknown>;
}

/** Collects the named templates (`define`) that expressions `include`, so the generator can write `_helpers.tpl`. */
export interface GoScope {
  readonly helpers: Map<string, string>;
}

const GO_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An expression of type T. `toGo` returns one Go template operand: a literal, a field chain or a parenthesised call. */
export abstract class Expr<T = unknown> {
  /** Marks expressions inside object trees without relying on `instanceof` across package copies. */
  readonly isExpr = true as const;
  abstract evaluate(context: EvalContext): T;
  abstract toGo(scope: GoScope): string;

  /** True when the value is always a string, so string building needs no `toString`. */
  get yieldsString(): boolean {
    return false;
  }

  /** Template text that prints the value raw (inside a text block); string building overrides it to inline literals. */
  toGoText(scope: GoScope): string {
    return `{{ ${this.toGo(scope)} }}`;
  }

  /** A field of an object-valued expression, such as a loop item's `name`. */
  field<K extends keyof NonNullable<T> & string>(key: K): Expr<NonNullable<T>[K]> {
    return new FieldExpr<NonNullable<T>[K]>(this, key);
  }
}

export function isExpr(value: unknown): value is Expr {
  return typeof value === 'object' && value !== null && (value as { isExpr?: unknown }).isExpr === true;
}

/** A constant. Strings print as Go string literals (JSON's escapes are a subset of Go's). */
class LiteralExpr<T> extends Expr<T> {
  constructor(readonly value: T) {
    super();
  }
  evaluate(): T {
    return this.value;
  }
  toGo(): string {
    const value: unknown = this.value;
    if (value === undefined || value === null) return 'nil';
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return JSON.stringify(value);
    // Structured constants go through fromJson so that Go sees maps and slices, not strings.
    return `(fromJson ${JSON.stringify(goToJson(value))})`;
  }
}

/** A key of the chart's values, such as `agent.image.tag`; `undefined` (Go's nil) when absent. */
class ValueExpr<T> extends Expr<T> {
  constructor(readonly path: readonly string[]) {
    super();
    for (const segment of path) {
      if (!GO_IDENTIFIER.test(segment))
        throw new Error(`value path segment ${JSON.stringify(segment)} is not a Go identifier`);
    }
  }
  evaluate(context: EvalContext): T {
    let current: unknown = context.values;
    for (const segment of this.path) {
      if (current === null || typeof current !== 'object') return undefined as T;
      current = (current as Record<string, unknown>)[segment];
    }
    return current as T;
  }
  toGo(): string {
    return ['$.Values', ...this.path].join('.');
  }
}

/** A loop variable bound by `each`. */
export class LocalExpr<T> extends Expr<T> {
  constructor(readonly goName: string) {
    super();
  }
  evaluate(context: EvalContext): T {
    if (!context.locals.has(this.goName))
      throw new Error(`loop variable ${this.goName} used outside its each()`);
    return context.locals.get(this.goName) as T;
  }
  toGo(): string {
    return this.goName;
  }
}

class FieldExpr<T> extends Expr<T> {
  constructor(
    readonly base: Expr,
    readonly key: string,
  ) {
    super();
  }
  evaluate(context: EvalContext): T {
    const base = this.base.evaluate(context);
    if (base === null || typeof base !== 'object') return undefined as T;
    return (base as Record<string, unknown>)[this.key] as T;
  }
  toGo(scope: GoScope): string {
    const base = this.base.toGo(scope);
    // `index` tolerates a missing key on a map, where a field chain on nil would fail the render.
    return GO_IDENTIFIER.test(this.key) && !base.startsWith('(')
      ? `${base}.${this.key}`
      : `(index ${base} ${JSON.stringify(this.key)})`;
  }
}

/** A built-in object field: `.Release.Name`, `.Release.Namespace`, `.Chart.Name`, `.Chart.AppVersion`. */
class BuiltinExpr extends Expr<string> {
  constructor(
    readonly goPath: string,
    readonly read: (context: EvalContext) => string,
  ) {
    super();
  }
  evaluate(context: EvalContext): string {
    return this.read(context);
  }
  override get yieldsString(): boolean {
    return true;
  }
  toGo(): string {
    return this.goPath;
  }
}

interface CallOptions {
  /** The function always returns a string, so string building needs no `toString`. @default false */
  readonly returnsString?: boolean;
}

/** A call of a Go template or Sprig function, with its TypeScript twin. */
class CallExpr<T> extends Expr<T> {
  constructor(
    readonly goName: string,
    readonly args: readonly Expr[],
    readonly implementation: (...values: unknown[]) => T,
    private readonly options: CallOptions = {},
  ) {
    super();
  }
  override get yieldsString(): boolean {
    return this.options.returnsString ?? false;
  }
  evaluate(context: EvalContext): T {
    return this.implementation(...this.args.map((arg) => arg.evaluate(context)));
  }
  toGo(scope: GoScope): string {
    return `(${this.call(scope)})`;
  }
  override toGoText(scope: GoScope): string {
    return `{{ ${this.call(scope)} }}`;
  }
  private call(scope: GoScope): string {
    return [this.goName, ...this.args.map((arg) => arg.toGo(scope))].join(' ');
  }
}

/** A named template: printed once into `_helpers.tpl` and called with `include`, so charts stay readable. */
class IncludeExpr extends Expr<string> {
  constructor(
    readonly name: string,
    readonly body: Expr<string>,
  ) {
    super();
  }
  evaluate(context: EvalContext): string {
    return this.body.evaluate(context);
  }
  override get yieldsString(): boolean {
    return true;
  }
  toGo(scope: GoScope): string {
    return includeNamedTemplate(scope, { name: this.name, body: `{{- ${this.body.toGo(scope)} -}}` });
  }
}

/**
 * Registers a named template for `_helpers.tpl` (the same name twice must have the same body) and returns
 * the operand that calls it with the root context.
 */
export function includeNamedTemplate(
  scope: GoScope,
  template: { readonly name: string; readonly body: string },
): string {
  const { name, body } = template;
  const earlier = scope.helpers.get(name);
  if (earlier !== undefined && earlier !== body)
    throw new Error(`named template ${name} is defined twice with different bodies`);
  scope.helpers.set(name, body);
  return `(include ${JSON.stringify(name)} $)`;
}

/** Anything a prop may be: the value itself or an expression of it. */
export type Valued<T> = T | Expr<T>;

/** Lifts a plain value to an expression; expressions pass through. */
export function lift<T>(value: Valued<T>): Expr<T> {
  return isExpr(value) ? (value as Expr<T>) : new LiteralExpr(value as T);
}

export function literal<T>(value: T): Expr<T> {
  return new LiteralExpr(value);
}

/** A values key by dotted path (`agent.image.tag`). */
export function value<T = unknown>(path: string): Expr<T> {
  return new ValueExpr<T>(path.split('.'));
}

/** A values key by segments, for generated bindings. */
export function valueAt<T = unknown>(path: readonly string[]): Expr<T> {
  return new ValueExpr<T>(path);
}

export const releaseName: Expr<string> = new BuiltinExpr('$.Release.Name', (context) => context.release.name);
export const releaseNamespace: Expr<string> = new BuiltinExpr(
  '$.Release.Namespace',
  (context) => context.release.namespace,
);
export const chartName: Expr<string> = new BuiltinExpr('$.Chart.Name', (context) => context.chart.name);
export const chartAppVersion: Expr<string> = new BuiltinExpr(
  '$.Chart.AppVersion',
  (context) => context.chart.appVersion,
);

/** Helm's `default`: `fallback` when `x` is empty in Go's sense (unset, "", 0, false, empty collection). */
export function defaultTo<T>(x: Valued<T | undefined>, fallback: Valued<T>): Expr<T> {
  return new CallExpr<T>(
    'default',
    [lift(fallback), lift(x)],
    (fallbackValue, xValue) => (goEmpty(xValue) ? fallbackValue : xValue) as T,
  );
}

/** String building (Go `print` of strings, which adds no spaces); printed inline in text blocks. */
class ConcatExpr extends Expr<string> {
  constructor(readonly parts: readonly Expr[]) {
    super();
  }
  evaluate(context: EvalContext): string {
    return this.parts.map((part) => goToString(part.evaluate(context))).join('');
  }
  override get yieldsString(): boolean {
    return true;
  }
  private goParts(scope: GoScope): string[] {
    // Strings need no conversion; numbers from values files are float64 in Go and must print as %v.
    return this.parts.map((part) =>
      (part instanceof LiteralExpr && typeof part.value === 'string') || part.yieldsString
        ? part.toGo(scope)
        : `(toString ${part.toGo(scope)})`,
    );
  }
  toGo(scope: GoScope): string {
    return `(print ${this.goParts(scope).join(' ')})`;
  }
  override toGoText(scope: GoScope): string {
    return this.parts
      .map((part) =>
        part instanceof LiteralExpr && typeof part.value === 'string'
          ? escapeTemplateText(part.value)
          : part.toGoText(scope),
      )
      .join('');
  }
}

/** Literal text inside a template: `{{` would open an action, so it is printed through a string literal. */
export function escapeTemplateText(text: string): string {
  return text.replaceAll('{{', '{{ "{{" }}');
}

/** String building: the parts' `toString` forms joined with nothing between. */
export function concat(...parts: readonly Valued<string | number | boolean>[]): Expr<string> {
  return new ConcatExpr(parts.map((part) => lift<unknown>(part)));
}

/** Sprig's `quote`, for building quoted text inside a larger string. */
export function quote(x: Valued<string | number | boolean>): Expr<string> {
  return new CallExpr<string>('quote', [lift(x)], (v) => goQuote(v), { returnsString: true });
}

/** Sprig's `toJson`, for writing typed values into a text file (a config file held in a ConfigMap). */
export function toJson(x: Valued<unknown>): Expr<string> {
  return new CallExpr<string>('toJson', [lift(x)], (v) => goToJson(v), { returnsString: true });
}

/** Sprig's `sha256sum`: the hex SHA-256 of the string's UTF-8 bytes. */
export function sha256(x: Valued<string>): Expr<string> {
  return new CallExpr<string>(
    'sha256sum',
    [lift(x)],
    (v) => createHash('sha256').update(goToString(v), 'utf8').digest('hex'),
    { returnsString: true },
  );
}

export function truncate(x: Valued<string>, length: number): Expr<string> {
  return new CallExpr<string>(
    'trunc',
    [literal(length), lift(x)],
    (n, v) => goTrunc(n as number, goToString(v)),
    { returnsString: true },
  );
}

export function trimSuffix(x: Valued<string>, suffix: string): Expr<string> {
  return new CallExpr<string>(
    'trimSuffix',
    [literal(suffix), lift(x)],
    (s, v) => goTrimSuffix(s as string, goToString(v)),
    { returnsString: true },
  );
}

/** Sprig's `contains`: whether `haystack` holds `needle`. */
export function contains(needle: Valued<string>, haystack: Valued<string>): Expr<boolean> {
  return new CallExpr<boolean>('contains', [lift(needle), lift(haystack)], (n, h) =>
    goToString(h).includes(goToString(n)),
  );
}

/** Sprig's `ternary`: `whenTrue` if `condition` is true. Sprig takes only a boolean condition; so does this. */
export function ternary<T>(condition: Valued<boolean>, whenTrue: Valued<T>, whenFalse: Valued<T>): Expr<T> {
  return new CallExpr<T>('ternary', [lift(whenTrue), lift(whenFalse), lift(condition)], (t, f, c) => {
    if (typeof c !== 'boolean')
      throw new Error(
        `ternary: condition ${JSON.stringify(c)} is not a boolean (Helm fails the render: "wrong type for value; expected bool")`,
      );
    return (c ? t : f) as T;
  });
}

export function not(x: Valued<unknown>): Expr<boolean> {
  return new CallExpr<boolean>('not', [lift(x)], (v) => !goTruthy(v));
}

/** Go's `and`: the first false-ish argument, else the last. */
export function and(...xs: readonly Valued<unknown>[]): Expr<unknown> {
  // Go's `and` returns the first falsy argument itself, even nil, so look it up by index.
  return new CallExpr<unknown>('and', xs.map(lift), (...values) => {
    const falsy = values.findIndex((v) => !goTruthy(v));
    return values[falsy === -1 ? values.length - 1 : falsy];
  });
}

/** Go's `or`: the first true-ish argument, else the last. */
export function or(...xs: readonly Valued<unknown>[]): Expr<unknown> {
  return new CallExpr<unknown>(
    'or',
    xs.map(lift),
    (...values) => values.find((v) => goTruthy(v)) ?? values[values.length - 1],
  );
}

/** Go's `eq` on scalars. */
export function eq(
  a: Valued<string | number | boolean>,
  b: Valued<string | number | boolean>,
): Expr<boolean> {
  return new CallExpr<boolean>('eq', [lift(a), lift(b)], (x, y) => x === y);
}

/**
 * Whether an integer value exceeds `bound`: Go's `gt` after Sprig's `int`. The conversion is needed because
 * values files give float64 and `--set` gives int64, and `gt` refuses to compare either with an int literal.
 */
export function greaterThan(x: Valued<number>, bound: number): Expr<boolean> {
  if (!Number.isInteger(bound)) throw new Error(`greaterThan: bound ${bound} is not an integer`);
  const asInt = new CallExpr<number>('int', [lift(x)], (v) => goToInt(v));
  return new CallExpr<boolean>('gt', [asInt, literal(bound)], (v, b) => (v as number) > (b as number));
}

/**
 * An integer value plus one: Sprig's `add1`, which converts float64 from values files and int64 from
 * `--set` alike (an EnvoyFilter that must apply right after another takes the next priority).
 */
export function plusOne(x: Valued<number>): Expr<number> {
  return new CallExpr<number>('add1', [lift(x)], (v) => goToInt(v) + 1);
}

/** A named template shared by every object that needs it (names, labels). */
export function include(name: string, body: Expr<string>): Expr<string> {
  return new IncludeExpr(name, body);
}

/** Sprig's `dict`: a map from literal keys to expressions, built fresh on every call. */
export function dict(entries: Readonly<Record<string, Valued<unknown>>>): Expr<Record<string, unknown>> {
  const keys = Object.keys(entries);
  const args = keys.flatMap((key) => [literal(key), lift(entries[key])]);
  return new CallExpr<Record<string, unknown>>('dict', args, (...values) => {
    const result: Record<string, unknown> = {};
    for (let index = 0; index < values.length; index += 2) result[String(values[index])] = values[index + 1];
    return result;
  });
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sprig's `merge` of two flat maps: `base` wins, `extra` adds the keys `base` lacks. Sprig (mergo without
 * overwrite) also lets `extra` fill a key whose `base` value is empty in Go's sense, and so does this. A
 * nested map would merge deeply in Go, so both sides are refused here rather than merged differently. An
 * absent `extra` (nil) is an empty map, through `default (dict)`.
 */
export function mergeMaps(
  base: Expr<Record<string, unknown>>,
  extra: Expr<Readonly<Record<string, unknown>> | undefined>,
): Expr<Record<string, unknown>> {
  const emptyDict = new CallExpr<Record<string, unknown>>('dict', [], () => ({}));
  return new CallExpr<Record<string, unknown>>(
    'merge',
    [base, defaultTo(extra, emptyDict)],
    (baseValue, extraValue) => {
      if (!isPlainMap(baseValue) || !isPlainMap(extraValue))
        throw new Error(`mergeMaps: ${JSON.stringify([baseValue, extraValue])} are not both maps`);
      const result: Record<string, unknown> = { ...baseValue };
      for (const [key, value] of Object.entries(extraValue)) {
        if (isPlainMap(value) || isPlainMap(result[key]))
          throw new Error(
            `mergeMaps: key ${JSON.stringify(key)} holds a map; only flat maps merge the same way`,
          );
        if (!(key in result) || goEmpty(result[key])) result[key] = value;
      }
      return result;
    },
  );
}
