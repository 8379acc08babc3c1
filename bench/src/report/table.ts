/** Plain-text tables for the terminal and the README. Pure. */
import type { Figure, TargetResult } from './figures.js';

/** A number with about four significant digits, never in exponent form. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(1);
  if (magnitude >= 10) return value.toFixed(2);
  if (magnitude >= 1) return value.toFixed(3);
  if (magnitude === 0) return '0';
  return value.toPrecision(3);
}

/** Columns padded to their widest cell, `|`-separated so the same text is a Markdown table. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const rule = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function figuresTable(figures: readonly Figure[]): string {
  return renderTable(
    ['section', 'figure', 'value', 'unit'],
    figures.map((figure) => [
      figure.section,
      figure.note === undefined ? figure.name : `${figure.name} (${figure.note})`,
      formatNumber(figure.value),
      figure.unit,
    ]),
  );
}

export function targetsTable(targets: readonly TargetResult[]): string {
  return renderTable(
    ['section', 'target', 'measured', 'limit', 'verdict'],
    targets.map((target) => [
      target.section,
      target.note === undefined ? target.name : `${target.name} (${target.note})`,
      `${formatNumber(target.measured)} ${target.unit}`.trim(),
      `${target.comparison === 'at-most' ? '≤' : '≥'} ${formatNumber(target.limit)} ${target.unit}`.trim(),
      target.verdict,
    ]),
  );
}
