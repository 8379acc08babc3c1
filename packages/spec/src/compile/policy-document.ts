import { LineCounter, parseAllDocuments, Parser, type CST } from 'yaml';
import type { SpecIssue } from '../spec-issues.js';

export type DocumentResult =
  { readonly ok: true; readonly document: unknown } | { readonly ok: false; readonly issues: SpecIssue[] };

/**
 * Deepest nesting of collections a policy file may have; a FlowPolicy needs about 10. yaml's
 * composer recurses once per level: a few kilobytes of `- - - …` or `[[[…` overflow its stack, and
 * after that overflow the next parse in the same process can abort V8 outright (seen with yaml 2.9
 * on Node 20: "RegExpCompiler Allocation failed"), taking the controller down. yaml's CST parser
 * is iterative, so the depth is measured on it first.
 */
export const MAX_NESTING_DEPTH = 64;

/** Alias expansions allowed per document (yaml's own guard against "billion laughs"). */
const MAX_ALIAS_COUNT = 100;

/** The first collection nested deeper than MAX_NESTING_DEPTH, by source offset, or undefined. */
function tooDeep(text: string): number | undefined {
  const pending: Array<{ token: CST.Token; depth: number }> = [];
  for (const token of new Parser().parse(text)) pending.push({ token, depth: 0 });
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { token, depth } = next;
    if (token.type === 'document' && token.value !== undefined) pending.push({ token: token.value, depth });
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection')
      continue;
    if (depth + 1 > MAX_NESTING_DEPTH) return token.offset;
    for (const item of token.items)
      for (const child of [item.key, item.value]) if (child) pending.push({ token: child, depth: depth + 1 });
  }
  return undefined;
}

/** True when a decoded document refers to itself (a recursive alias): it is not a tree. */
function isCyclic(root: unknown): boolean {
  const ancestors = new Set<object>();
  const stack: Array<{ node: object; leaving: boolean }> = [];
  if (root !== null && typeof root === 'object') stack.push({ node: root, leaving: false });
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.leaving) {
      ancestors.delete(next.node);
      continue;
    }
    if (ancestors.has(next.node)) return true;
    ancestors.add(next.node);
    stack.push({ node: next.node, leaving: true });
    for (const child of Object.values(next.node))
      if (child !== null && typeof child === 'object') stack.push({ node: child as object, leaving: false });
  }
  return false;
}

function fileIssue(value: string, allowed: string): DocumentResult {
  return { ok: false, issues: [{ path: '(file)', value, allowed }] };
}

/**
 * Decodes the text of one policy file (YAML, which includes JSON). Exactly one document is allowed:
 * a second policy hidden in the same file would otherwise be silently ignored. Syntax errors name
 * the line and column. Never throws: nesting past MAX_NESTING_DEPTH, aliases that do not resolve or
 * expand too often, and recursive aliases are issues like any other.
 */
export function decodePolicyFile(text: string): DocumentResult {
  const deepAt = tooDeep(text);
  if (deepAt !== undefined) {
    const before = text.slice(0, deepAt);
    const line = before.split('\n').length;
    const col = deepAt - before.lastIndexOf('\n');
    return {
      ok: false,
      issues: [
        {
          path: `(line ${line}, column ${col})`,
          value: `more than ${MAX_NESTING_DEPTH} levels of nesting`,
          allowed: `at most ${MAX_NESTING_DEPTH} levels (a FlowPolicy needs about 10)`,
        },
      ],
    };
  }
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  const list = Array.isArray(documents) ? documents : [documents];
  const issues: SpecIssue[] = [];
  for (const document of list) {
    for (const error of document.errors) {
      const where = lineCounter.linePos(error.pos[0]);
      issues.push({
        path: `(line ${where.line}, column ${where.col})`,
        value: JSON.stringify(text.slice(error.pos[0], Math.min(error.pos[1], error.pos[0] + 40))),
        allowed: `valid YAML: ${error.message.split('\n')[0] ?? error.message}`,
      });
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  const contents = list.filter((document) => document.contents !== null);
  if (contents.length !== 1)
    return fileIssue(`${contents.length} documents`, 'exactly one FlowPolicy document per file');
  let decoded: unknown;
  try {
    decoded = contents[0]?.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (error) {
    // yaml throws for an alias before its anchor and for too many alias expansions.
    return fileIssue(
      'its aliases',
      `aliases that resolve, at most ${MAX_ALIAS_COUNT} expansions (${(error as Error).message})`,
    );
  }
  if (isCyclic(decoded))
    return fileIssue('a recursive alias', 'a document that is a tree (no alias inside its own anchor)');
  return { ok: true, document: decoded };
}
