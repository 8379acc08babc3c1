import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { badInput } from './cli-error.js';
import type { CliIo } from './cli-io.js';

/** How a file named `-` (standard input) is called in messages and SOURCE columns. */
export const STDIN_NAME = '<stdin>';

/** One YAML document of an input: its text, where it came from and its 1-based index in the file. */
export interface InputDocument {
  readonly file: string;
  readonly index: number;
  /** How many non-empty documents the file holds; sources show the index only when there are several. */
  readonly count: number;
  readonly text: string;
}

/** `file`, or `file#2` for the second document of a multi-document file. */
export function documentSource(document: InputDocument): string {
  return document.count > 1 ? `${document.file}#${document.index}` : document.file;
}

/** Where relative paths start (a directory, or the CLI's io with its stdin for `-`). */
export type InputPlace = string | Pick<CliIo, 'cwd' | 'stdin'>;

/** The text of `path`, or of standard input for `-`; an unreadable file is bad input naming it. */
export function readInput(from: InputPlace, path: string): { name: string; text: string } {
  const io: Pick<CliIo, 'cwd' | 'stdin'> = typeof from === 'string' ? { cwd: from } : from;
  if (path === '-') {
    if (io.stdin === undefined) throw badInput('-: there is no standard input to read');
    return { name: STDIN_NAME, text: io.stdin() };
  }
  try {
    return { name: path, text: readFileSync(resolve(io.cwd, path), 'utf8') };
  } catch (error) {
    throw badInput(
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/**
 * Splits YAML text into its non-empty documents (`---` separated). A syntax error is bad input at
 * file:line:col with the YAML library's own reason, never a schema error.
 */
export function splitDocuments(name: string, text: string): InputDocument[] {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter });
  const documents = Array.isArray(parsed) ? parsed : [parsed];
  const problems = documents.flatMap((document) =>
    document.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      // The library's reason without its own "at line L, column C:" (the prefix says where).
      const reason = (error.message.split('\n')[0] ?? error.message).replace(
        / at line \d+, column \d+:?$/,
        '',
      );
      return `${name}:${line}:${col}: YAML syntax error: ${reason}`;
    }),
  );
  if (problems.length > 0) throw badInput(problems.join('\n'));
  const withContents = documents.filter((document) => document.contents !== null);
  return withContents.map((document, position) => ({
    file: name,
    index: position + 1,
    count: withContents.length,
    // Each document's own text, so it decodes exactly as a file holding only it would.
    text: text.slice(document.range[0], document.range[2]),
  }));
}

/** Reads every document of `path` (or standard input for `-`). */
export function readDocumentTexts(io: InputPlace, path: string): InputDocument[] {
  const { name, text } = readInput(io, path);
  return splitDocuments(name, text);
}

/** Every YAML document of a file as data (`---` separated), skipping empty ones. */
export function readDocuments(io: InputPlace, path: string): unknown[] {
  const { name, text } = readInput(io, path);
  splitDocuments(name, text);
  const parsed = parseAllDocuments(text);
  const documents = Array.isArray(parsed) ? parsed : [parsed];
  return documents
    .map((document) => document.toJS() as unknown)
    .filter((value) => value !== null && value !== undefined);
}

/** Reads one YAML or JSON document; a missing file, a syntax error or several documents are bad input. */
export function readDocument(io: InputPlace, path: string): unknown {
  const documents = readDocuments(io, path);
  if (documents.length !== 1)
    throw badInput(
      `${path === '-' ? STDIN_NAME : path}: expected one YAML document, found ${documents.length}`,
    );
  return documents[0];
}

export function requireOption(value: string | boolean | string[] | undefined, name: string): string {
  if (typeof value !== 'string' || value === '') throw badInput(`--${name} is required`);
  return value;
}
