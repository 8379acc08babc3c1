import { stringify } from 'yaml';
import { badInput } from './cli-error.js';
import type { OptionSpec } from './command.js';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The `-o/--output` option, with the formats a command offers; the first is the default. */
export function outputOption(formats: readonly OutputFormat[] = OUTPUT_FORMATS): OptionSpec {
  const [first, ...rest] = formats;
  return {
    type: 'string',
    short: 'o',
    valueName: 'FORMAT',
    choices: formats,
    description: `${first} (default)${rest.length > 0 ? `, ${rest.join(', ').replace(/, ([^,]*)$/, ' or $1')}` : ''}.`,
  };
}

export function parseOutputFormat(
  value: string | undefined,
  formats: readonly OutputFormat[] = OUTPUT_FORMATS,
): OutputFormat {
  const format = value ?? formats[0] ?? 'table';
  if (!(formats as readonly string[]).includes(format)) {
    throw badInput(`-o/--output: "${format}" is not allowed; use one of ${formats.join(', ')}`);
  }
  return format as OutputFormat;
}

/** JSON or YAML of any value, as kubectl -o json|yaml prints it. */
export function renderData(format: 'json' | 'yaml', value: unknown): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 });
}

/** A tab-aligned table with an upper-case header, columns separated by at least two spaces. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Renders records as a table (with the given columns) or as JSON/YAML of the records themselves. */
export function renderRecords<T>(
  format: OutputFormat,
  records: readonly T[],
  columns: readonly { readonly title: string; readonly cell: (record: T) => string }[],
): string {
  if (format === 'json') return JSON.stringify(records, null, 2) + '\n';
  if (format === 'yaml') return stringify(records);
  return renderTable(
    columns.map((column) => column.title),
    records.map((record) => columns.map((column) => column.cell(record))),
  );
}
