import { LineCounter, parseAllDocuments } from 'yaml';
import type { SpecIssue } from '@sluice/spec';

export type DocumentResult =
  { readonly ok: true; readonly document: unknown } | { readonly ok: false; readonly issues: SpecIssue[] };

/**
 * Decodes the text of one policy file (YAML, which includes JSON). Exactly one document is allowed:
 * a second policy hidden in the same file would otherwise be silently ignored. Syntax errors name
 * the line and column.
 */
export function decodePolicyFile(text: string): DocumentResult {
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
  if (contents.length !== 1) {
    return {
      ok: false,
      issues: [
        {
          path: '(file)',
          value: `${contents.length} documents`,
          allowed: 'exactly one FlowPolicy document per file',
        },
      ],
    };
  }
  const [only] = contents;
  return { ok: true, document: only?.toJS() as unknown };
}
