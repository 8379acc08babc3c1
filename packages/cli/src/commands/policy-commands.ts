import { compileFlowPolicy, decodePolicyFile, formatIssue } from '@sluice/spec';
import { CliError, EXIT_BAD_INPUT, EXIT_OK } from '../cli-error.js';
import type { Command } from '../command.js';
import { documentSource, readDocumentTexts, STDIN_NAME, type InputDocument } from '../input-file.js';
import { outputOption, parseOutputFormat, renderRecords } from '../output-format.js';
import { issuesMessage } from './blueprints-commands.js';

/** One validated document: `source` is `file`, `file#N` for the Nth of several documents, or `<stdin>`. */
export interface PolicyValidation {
  readonly source: string;
  readonly name: string | null;
  readonly status: 'Valid' | 'Invalid';
  readonly hash: string | null;
  readonly message: string;
}

/** Each FlowPolicy name must have one owner: a second file with the same name would replace the first. */
export function markDuplicateNames(rows: readonly PolicyValidation[]): {
  rows: PolicyValidation[];
  problems: string[];
} {
  const owners = new Map<string, string[]>();
  for (const row of rows)
    if (row.status === 'Valid' && row.name !== null)
      owners.set(row.name, [...(owners.get(row.name) ?? []), row.source]);
  const problems = [...owners]
    .filter(([, sources]) => sources.length > 1)
    .map(
      ([name, sources]) =>
        `FlowPolicy name ${name} is defined by ${sources.join(' and ')}; names must be unique`,
    );
  return {
    problems,
    rows: rows.map((row) => {
      const sources = row.name === null ? undefined : owners.get(row.name);
      if (row.status !== 'Valid' || sources === undefined || sources.length < 2) return row;
      const others = sources.filter((source) => source !== row.source);
      return {
        ...row,
        status: 'Invalid',
        message: `name ${row.name} is also defined by ${others.join(', ')}`,
      };
    }),
  };
}

export const policyValidate: Command = {
  path: ['policy', 'validate'],
  summary:
    "Validate FlowPolicy files (- for standard input, several documents per file) offline with the controller's own loader and compiler; exit 2 on an invalid policy.",
  positionals: 'FILE...',
  options: { output: outputOption() },
  async run(args, io) {
    const format = parseOutputFormat(args.options['output'] as string | undefined);
    if (args.positionals.length === 0)
      throw new CliError('name at least one FILE (- reads standard input)', EXIT_BAD_INPUT);
    const rows: PolicyValidation[] = [];
    const problems: string[] = [];
    for (const file of args.positionals) {
      const fileName = file === '-' ? STDIN_NAME : file;
      let documents: InputDocument[];
      try {
        documents = readDocumentTexts(io, file);
      } catch (error) {
        // An unreadable file or a YAML syntax error: report it, and go on with the other files.
        if (!(error instanceof CliError)) throw error;
        rows.push({
          source: fileName,
          name: null,
          status: 'Invalid',
          hash: null,
          message: error.message.split('\n')[0] ?? '',
        });
        problems.push(error.message);
        continue;
      }
      if (documents.length === 0) {
        rows.push({
          source: fileName,
          name: null,
          status: 'Invalid',
          hash: null,
          message: 'no YAML document',
        });
        problems.push(`${fileName}: no YAML document; expected a FlowPolicy`);
      }
      for (const document of documents) {
        const source = documentSource(document);
        // The controller's file source decodes and compiles each file exactly like this.
        const decoded = decodePolicyFile(document.text);
        const compiled = decoded.ok ? compileFlowPolicy(decoded.document) : decoded;
        if (compiled.ok) {
          rows.push({
            source,
            name: compiled.value.policyName,
            status: 'Valid',
            hash: compiled.value.policyHash,
            message: '',
          });
          continue;
        }
        const [first, ...more] = compiled.issues;
        const named = (decoded.ok ? (decoded.document as { metadata?: { name?: unknown } }) : undefined)
          ?.metadata?.name;
        rows.push({
          source,
          name: typeof named === 'string' ? named : null,
          status: 'Invalid',
          hash: null,
          message: `${first ? formatIssue(first) : 'invalid'}${more.length > 0 ? ` (and ${more.length} more)` : ''}`,
        });
        problems.push(issuesMessage(source, compiled));
      }
    }
    const checked = markDuplicateNames(rows);
    io.stdout(
      renderRecords(format, checked.rows, [
        { title: 'SOURCE', cell: (row) => row.source },
        { title: 'NAME', cell: (row) => row.name ?? '-' },
        { title: 'STATUS', cell: (row) => row.status },
        { title: 'HASH', cell: (row) => (row.hash ?? '-').slice(0, 12) },
        { title: 'MESSAGE', cell: (row) => row.message },
      ]),
    );
    const all = [...problems, ...checked.problems];
    if (all.length > 0) throw new CliError(all.join('\n'), EXIT_BAD_INPUT);
    return EXIT_OK;
  },
};
