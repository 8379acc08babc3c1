import { stringify as stringifyYaml } from 'yaml';
import { escapeTemplateText, type Expr, type GoScope, isExpr, LocalExpr } from './expr.js';
import {
  Each,
  isTreeNode,
  loopVariables,
  TextLines,
  type Tree,
  type TreeObject,
  When,
  YamlOf,
} from './template-tree.js';

/**
 * Prints a template tree as Helm template text. Scalar expressions print through `toJson`, so a value keeps
 * its YAML type whatever it holds (a tag "1.0" stays a string); subtrees print through `toYaml | nindent`;
 * `when` and `each` become `{{- if }}` and `{{- range }}` lines whose leading `-` removes them from the
 * output. A collection whose members are all conditional gets an `{{- else }} []` / `{}` branch, because an
 * empty block would otherwise parse as null while synthesis gives an empty collection.
 */

interface RenderState {
  readonly scope: GoScope;
  /** Nesting depth of `range`, which names the loop variables. */
  readonly depth: number;
}

const pad = (indent: number) => ' '.repeat(indent);

/**
 * Kubernetes and Helm parse YAML with go-yaml's 1.1 rules, where `on`, `yes` and `no` are booleans: literals
 * are printed under those rules so such strings get quoted.
 */
const YAML_1_1 = { version: '1.1', lineWidth: 0 } as const;

/** A literal scalar in YAML. Strings are quoted whenever YAML would read them as anything else. */
export function yamlScalar(value: string | number | boolean): string {
  if (typeof value === 'string' && value.includes('{{')) {
    // Text that opens a template action would be executed by Helm.
    return `{{ ${JSON.stringify(value)} | toJson }}`;
  }
  return stringifyYaml(value, YAML_1_1).trimEnd();
}

function yamlKey(key: string): string {
  if (key.includes('{{')) throw new Error(`object key ${JSON.stringify(key)} would open a template action`);
  return stringifyYaml(key, YAML_1_1).trimEnd();
}

/** The Go condition that is true when a dynamic member renders, or undefined when it always renders. */
function presenceCondition(member: Tree, state: RenderState): string | undefined {
  if (member instanceof When)
    return member.otherwise === undefined ? member.condition.toGo(state.scope) : undefined;
  if (member instanceof Each) return member.list.toGo(state.scope);
  return undefined;
}

/** When every member is dynamic, the Go condition for "at least one renders"; otherwise undefined. */
function guardFor(members: readonly Tree[], state: RenderState): string | undefined {
  if (members.length === 0) return undefined;
  const conditions: string[] = [];
  for (const member of members) {
    const condition = presenceCondition(member, state);
    if (condition === undefined) return undefined;
    conditions.push(condition);
  }
  return conditions.length === 1 ? conditions[0] : `(or ${conditions.join(' ')})`;
}

function renderCollection(
  head: string,
  members: readonly Tree[],
  emptyForm: '[]' | '{}',
  indent: number,
  state: RenderState,
  renderMembers: () => string[],
): string[] {
  if (members.length === 0) return [`${head} ${emptyForm}`];
  const guard = guardFor(members, state);
  if (guard === undefined) return [head, ...renderMembers()];
  return [
    head,
    `${pad(indent)}{{- if ${guard} }}`,
    ...renderMembers(),
    `${pad(indent)}{{- else }} ${emptyForm}`,
    `${pad(indent)}{{- end }}`,
  ];
}

function renderEntry(key: string, value: Tree, indent: number, state: RenderState): string[] {
  const head = `${pad(indent)}${yamlKey(key)}:`;
  if (value instanceof When) {
    const lines = [
      `${pad(indent)}{{- if ${value.condition.toGo(state.scope)} }}`,
      ...renderEntry(key, value.then, indent, state),
    ];
    if (value.otherwise !== undefined)
      lines.push(`${pad(indent)}{{- else }}`, ...renderEntry(key, value.otherwise, indent, state));
    lines.push(`${pad(indent)}{{- end }}`);
    return lines;
  }
  if (value instanceof Each) throw new Error(`${key}: each() is only allowed as a list item`);
  if (isExpr(value)) return [`${head} {{ toJson ${value.toGo(state.scope)} }}`];
  if (value instanceof YamlOf)
    return [`${head} {{- toYaml ${value.source.toGo(state.scope)} | nindent ${indent + 2} }}`];
  if (value instanceof TextLines) return [`${head} |`, ...renderTextLines(value, indent + 2, state)];
  if (Array.isArray(value)) {
    const items = value as readonly Tree[];
    return renderCollection(head, items, '[]', indent + 2, state, () =>
      items.flatMap((item) => renderItem(item, indent + 2, state)),
    );
  }
  if (typeof value === 'object' && !isTreeNode(value)) {
    const entries = Object.entries(value as TreeObject).filter(
      (entry): entry is [string, Tree] => entry[1] !== undefined,
    );
    return renderCollection(
      head,
      entries.map(([, child]) => child),
      '{}',
      indent + 2,
      state,
      () => entries.flatMap(([childKey, child]) => renderEntry(childKey, child, indent + 2, state)),
    );
  }
  return [`${head} ${yamlScalar(value as string | number | boolean)}`];
}

/** Puts the list dash on the first line when that line is data, not a template action. */
function dashed(lines: string[], indent: number): string[] {
  const [first, ...rest] = lines;
  if (first !== undefined && !first.trimStart().startsWith('{{')) {
    return [`${pad(indent)}- ${first.slice(indent + 2)}`, ...rest];
  }
  return [`${pad(indent)}-`, ...lines];
}

function renderItem(item: Tree, indent: number, state: RenderState): string[] {
  if (item instanceof When) {
    const lines = [
      `${pad(indent)}{{- if ${item.condition.toGo(state.scope)} }}`,
      ...renderItem(item.then, indent, state),
    ];
    if (item.otherwise !== undefined)
      lines.push(`${pad(indent)}{{- else }}`, ...renderItem(item.otherwise, indent, state));
    lines.push(`${pad(indent)}{{- end }}`);
    return lines;
  }
  if (item instanceof Each) {
    const names = loopVariables(state.depth);
    const inner: RenderState = { ...state, depth: state.depth + 1 };
    const body = item.body(new LocalExpr<never>(names.item), new LocalExpr<number>(names.index));
    return [
      `${pad(indent)}{{- range ${names.index}, ${names.item} := ${item.list.toGo(state.scope)} }}`,
      ...renderItem(body, indent, inner),
      `${pad(indent)}{{- end }}`,
    ];
  }
  if (isExpr(item)) return [`${pad(indent)}- {{ toJson ${item.toGo(state.scope)} }}`];
  if (item instanceof YamlOf)
    return [`${pad(indent)}- {{- toYaml ${item.source.toGo(state.scope)} | nindent ${indent + 2} }}`];
  if (item instanceof TextLines) return [`${pad(indent)}- |`, ...renderTextLines(item, indent + 2, state)];
  if (Array.isArray(item)) {
    const items = item as readonly Tree[];
    if (items.length === 0) return [`${pad(indent)}- []`];
    return dashed(
      items.flatMap((child) => renderItem(child, indent + 2, state)),
      indent,
    );
  }
  if (typeof item === 'object' && !isTreeNode(item)) {
    const entries = Object.entries(item as TreeObject).filter(
      (entry): entry is [string, Tree] => entry[1] !== undefined,
    );
    if (entries.length === 0) return [`${pad(indent)}- {}`];
    if (
      guardFor(
        entries.map(([, child]) => child),
        state,
      ) !== undefined
    ) {
      throw new Error(
        'a list item object whose every entry is conditional would render as null; make one entry unconditional',
      );
    }
    return dashed(
      entries.flatMap(([key, child]) => renderEntry(key, child, indent + 2, state)),
      indent,
    );
  }
  return [`${pad(indent)}- ${yamlScalar(item as string | number | boolean)}`];
}

function renderTextLines(block: TextLines, indent: number, state: RenderState): string[] {
  const lines: string[] = [];
  for (const line of block.lines) {
    if (line instanceof When) {
      if (line.otherwise !== undefined) throw new Error('text lines take when() without an alternative');
      const then = line.then;
      if (typeof then !== 'string' && !isExpr(then))
        throw new Error('a conditional text line must be a string or an expression');
      lines.push(
        `${pad(indent)}{{- if ${line.condition.toGo(state.scope)} }}`,
        `${pad(indent)}${textOf(then, state)}`,
        `${pad(indent)}{{- end }}`,
      );
    } else {
      lines.push(`${pad(indent)}${textOf(line, state)}`);
    }
  }
  const first = block.lines[0];
  if (typeof first === 'string' && /^\s/.test(first))
    throw new Error('a text block must not start with whitespace (YAML would misread its indentation)');
  return lines;
}

function textOf(line: string | Expr, state: RenderState): string {
  return typeof line === 'string' ? escapeTemplateText(line) : line.toGoText(state.scope);
}

/** Renders a whole object as template lines at indentation 0. `depth` is the number of enclosing ranges. */
export function renderObject(tree: TreeObject, scope: GoScope, depth = 0): string[] {
  const state: RenderState = { scope, depth };
  return Object.entries(tree)
    .filter((entry): entry is [string, Tree] => entry[1] !== undefined)
    .flatMap(([key, value]) => renderEntry(key, value, 0, state));
}

/** Renders a text block as a whole file (NOTES.txt): each line ends with a newline. */
export function renderTextBlock(block: TextLines, scope: GoScope): string {
  return `${renderTextLines(block, 0, { scope, depth: 0 }).join('\n')}\n`;
}
