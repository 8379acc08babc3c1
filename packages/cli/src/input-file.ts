import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { badInput } from './cli-error.js';

/** Reads one YAML or JSON document; a missing file or a syntax error is bad input naming the file. */
export function readDocument(cwd: string, path: string): unknown {
  const documents = readDocuments(cwd, path);
  if (documents.length !== 1)
    throw badInput(`${path}: expected one YAML document, found ${documents.length}`);
  return documents[0];
}

/** Reads every YAML document in a file (`---` separated), skipping empty ones. */
export function readDocuments(cwd: string, path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw badInput(
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return [];
  const out: unknown[] = [];
  for (const document of documents) {
    const problem = document.errors[0];
    if (problem) throw badInput(`${path}: not valid YAML: ${problem.message.split('\n')[0]}`);
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

export function requireOption(value: string | boolean | string[] | undefined, name: string): string {
  if (typeof value !== 'string' || value === '') throw badInput(`--${name} is required`);
  return value;
}
