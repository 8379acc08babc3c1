import { type EvalContext, Expr, type GoScope, includeNamedTemplate, lift, type Valued } from './expr.js';
import { goToString, goTruthy } from './go-semantics.js';
import { when, type When } from './template-tree.js';

/**
 * Refusals that a values schema cannot express (one value against another, duplicates across list items),
 * written once for both renderers: synthesis throws, and the chart calls Helm's `fail` with the same text.
 * A guard is an object entry that exists only when the values are bad, so valid values never see it.
 */

/** Thrown by synthesis when a guard fires; the message is the one Helm prints. */
export class ValuesRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValuesRefusedError';
  }
}

/** Helm's `fail`: aborts rendering with `message`. */
class FailExpr extends Expr<never> {
  constructor(readonly message: Expr<string>) {
    super();
  }
  evaluate(context: EvalContext): never {
    throw new ValuesRefusedError(goToString(this.message.evaluate(context)));
  }
  toGo(scope: GoScope): string {
    return `(fail ${this.message.toGo(scope)})`;
  }
}

/** Sprig's `has`: whether `list` holds `needle`. */
class HasExpr extends Expr<boolean> {
  constructor(
    readonly needle: Expr,
    readonly list: Expr<readonly unknown[] | undefined>,
  ) {
    super();
  }
  evaluate(context: EvalContext): boolean {
    return (this.list.evaluate(context) ?? []).includes(this.needle.evaluate(context));
  }
  toGo(scope: GoScope): string {
    return `(has ${this.needle.toGo(scope)} ${this.list.toGo(scope)})`;
  }
}

/** Whether a list holds an element twice (Sprig: the list is longer than its `uniq`). */
class HasDuplicatesExpr extends Expr<boolean> {
  constructor(readonly list: Expr<readonly unknown[] | undefined>) {
    super();
  }
  evaluate(context: EvalContext): boolean {
    const list = this.list.evaluate(context) ?? [];
    return new Set(list).size !== list.length;
  }
  toGo(scope: GoScope): string {
    const list = this.list.toGo(scope);
    return `(ne (len (uniq ${list})) (len ${list}))`;
  }
}

export function hasDuplicates(list: Expr<readonly unknown[] | undefined>): Expr<boolean> {
  return new HasDuplicatesExpr(list);
}

export function has(needle: Valued<unknown>, list: Expr<readonly unknown[] | undefined>): Expr<boolean> {
  return new HasExpr(lift(needle), list);
}

/**
 * A named template with a hand-written Go body and its TypeScript twin, for checks that need Go variables
 * (a `dict` of seen keys). The body reads the root context as `.`; it prints a string.
 */
class HelperExpr extends Expr<string> {
  constructor(
    readonly name: string,
    readonly goBody: string,
    readonly compute: (context: EvalContext) => string,
  ) {
    super();
  }
  evaluate(context: EvalContext): string {
    return this.compute(context);
  }
  override get yieldsString(): boolean {
    return true;
  }
  toGo(scope: GoScope): string {
    return includeNamedTemplate(scope, { name: this.name, body: this.goBody });
  }
}

export function helper(
  name: string,
  goBody: string,
  compute: (context: EvalContext) => string,
): Expr<string> {
  return new HelperExpr(name, goBody, compute);
}

/**
 * True unless `condition` holds, in which case the values are refused with `message`: an object's
 * `when`, evaluated once per template rather than once per element of its `forEach`. Go's `or` stops
 * at its first true argument (Go 1.18+), so `fail` runs only when the condition holds.
 */
class PassUnlessExpr extends Expr<true> {
  constructor(
    readonly condition: Expr,
    readonly message: Expr<string>,
  ) {
    super();
  }
  evaluate(context: EvalContext): true {
    if (goTruthy(this.condition.evaluate(context)))
      throw new ValuesRefusedError(goToString(this.message.evaluate(context)));
    return true;
  }
  toGo(scope: GoScope): string {
    return `(or (not ${this.condition.toGo(scope)}) (fail ${this.message.toGo(scope)}))`;
  }
}

export function passUnless(condition: Valued<unknown>, message: Valued<string>): Expr<true> {
  return new PassUnlessExpr(lift(condition), lift(message));
}

/** An object entry that refuses the values when `condition` holds: `{ ...guards }` in an object's metadata. */
export function refuseWhen(condition: Valued<unknown>, message: Valued<string>): When {
  return when(condition, new FailExpr(lift(message)));
}
