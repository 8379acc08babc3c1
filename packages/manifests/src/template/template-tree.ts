import { type EvalContext, type Expr, isExpr, LocalExpr, type Valued, lift } from './expr.js';
import { goTruthy } from './go-semantics.js';

/**
 * Kubernetes object trees whose leaves and branches may vary per install. A tree is plain JSON-like data
 * plus four node kinds: `when` (an object entry or list item that exists only if a condition holds, or
 * one of two alternatives), `each` (list items generated from a list), `yamlOf` (a Kubernetes subtree
 * passed through whole from the values) and `textLines` (a multi-line text file, such as a config file
 * in a ConfigMap). `evaluateTree` gives the synthesised object; the Go renderer prints the same tree as
 * a Helm template.
 */

export type Scalar = string | number | boolean;

export type Tree = Scalar | Expr | TreeNode | readonly Tree[] | TreeObject;

/** An object node. `undefined` entries are skipped, which keeps TypeScript-time optional parts easy to write. */
export interface TreeObject {
  readonly [key: string]: Tree | undefined;
}

/** Base of the structural nodes. */
export abstract class TreeNode {
  readonly isTreeNode = true as const;
}

/** An entry or item that exists only when `condition` is true in Go's sense, or else `otherwise` if given. */
export class When extends TreeNode {
  constructor(
    readonly condition: Expr,
    readonly then: Tree,
    readonly otherwise?: Tree,
  ) {
    super();
  }
}

/** List items generated from a list, one `body(item)` per element (Go `range`). Only valid inside lists. */
export class Each extends TreeNode {
  constructor(
    readonly list: Expr<readonly unknown[] | undefined>,
    readonly body: (item: Expr<never>, index: Expr<number>) => Tree,
  ) {
    super();
  }
}

/** A Kubernetes subtree taken whole from an expression (Helm `toYaml`). */
export class YamlOf extends TreeNode {
  constructor(readonly source: Expr) {
    super();
  }
}

/** One line of a text file; `when` lines are kept or dropped whole. */
export type TextLine = Valued<string> | When;

/** A multi-line text value (a literal block in YAML). Each line ends with a newline. */
export class TextLines extends TreeNode {
  constructor(readonly lines: readonly TextLine[]) {
    super();
  }
}

export function isTreeNode(value: unknown): value is TreeNode {
  return (
    typeof value === 'object' && value !== null && (value as { isTreeNode?: unknown }).isTreeNode === true
  );
}

export function when(condition: Valued<unknown>, then: Tree, otherwise?: Tree): When {
  return new When(lift(condition), then, otherwise);
}

export function each<I>(
  list: Expr<readonly I[] | undefined>,
  body: (item: Expr<I>, index: Expr<number>) => Tree,
): Each {
  // Erased to Expr<never>: the loop variable's element type only matters where the body is written.
  return new Each(list, body as unknown as (item: Expr<never>, index: Expr<number>) => Tree);
}

export function yamlOf(source: Expr): YamlOf {
  return new YamlOf(source);
}

export function textLines(...lines: readonly TextLine[]): TextLines {
  return new TextLines(lines);
}

/** Go names of a loop's variables at a nesting depth; the renderer and the evaluator must agree on them. */
export function loopVariables(depth: number): { readonly item: string; readonly index: string } {
  return { item: `$item${depth}`, index: `$index${depth}` };
}

/** JSON data, the result of evaluation. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

const OMIT = Symbol('omit');

function loopDepth(context: EvalContext): number {
  return [...context.locals.keys()].filter((name) => name.startsWith('$item')).length;
}

function evaluateNode(tree: Tree, context: EvalContext, path: string): Json | typeof OMIT {
  if (isExpr(tree)) {
    const result = tree.evaluate(context);
    // Helm would print `null` here while synthesis drops the key: optional leaves must use when().
    if (result === undefined || result === null)
      throw new Error(`${path}: expression evaluated to nothing; wrap optional leaves in when()`);
    return structuredClone(result) as Json;
  }
  if (tree instanceof When) {
    if (goTruthy(tree.condition.evaluate(context))) return evaluateNode(tree.then, context, path);
    return tree.otherwise === undefined ? OMIT : evaluateNode(tree.otherwise, context, path);
  }
  if (tree instanceof YamlOf) {
    const result = tree.source.evaluate(context);
    return structuredClone(result ?? null) as Json;
  }
  if (tree instanceof TextLines) {
    let text = '';
    for (const line of tree.lines) {
      const evaluated = evaluateNode(line as Tree, context, path);
      if (evaluated !== OMIT) text += `${String(evaluated)}\n`;
    }
    return text;
  }
  if (tree instanceof Each) throw new Error(`${path}: each() is only allowed as a list item`);
  if (Array.isArray(tree)) {
    const items: Json[] = [];
    tree.forEach((item: Tree, index: number) => {
      if (item instanceof Each) {
        const list = item.list.evaluate(context) ?? [];
        const names = loopVariables(loopDepth(context));
        list.forEach((element, elementIndex) => {
          const locals = new Map(context.locals);
          locals.set(names.item, element);
          locals.set(names.index, elementIndex);
          const body = item.body(new LocalExpr<never>(names.item), new LocalExpr<number>(names.index));
          const evaluated = evaluateNode(body, { ...context, locals }, `${path}[${index}:${elementIndex}]`);
          if (evaluated !== OMIT) items.push(evaluated);
        });
        return;
      }
      const evaluated = evaluateNode(item, context, `${path}[${index}]`);
      if (evaluated !== OMIT) items.push(evaluated);
    });
    return items;
  }
  if (typeof tree === 'object') {
    const result: Record<string, Json> = {};
    for (const [key, child] of Object.entries(tree as TreeObject)) {
      if (child === undefined) continue;
      const evaluated = evaluateNode(child, context, path ? `${path}.${key}` : key);
      if (evaluated !== OMIT) result[key] = evaluated;
    }
    return result;
  }
  return tree;
}

/** Evaluates a tree to JSON as `helm template` would render it with the same values. */
export function evaluateTree(tree: Tree, context: EvalContext): Json | undefined {
  const result = evaluateNode(tree, context, '');
  return result === OMIT ? undefined : result;
}
