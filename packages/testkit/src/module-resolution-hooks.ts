/**
 * Module customization hooks (Node's `module.register`) that append the URL of every module the ESM
 * resolver resolves to a log file, one per line. Loaded on Node's hooks thread by
 * {@link resolvedModules}; the append is synchronous, so a URL is in the file before the import
 * that asked for it continues.
 */
import { appendFileSync } from 'node:fs';

interface ResolveResult {
  readonly url: string;
}

type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

let logFile = '';

/** Receives the log file from `register(…, { data: { logFile } })`. */
export function initialize(data: { readonly logFile: string }): void {
  logFile = data.logFile;
}

/** Resolves as Node would, then records the result. */
export async function resolve(
  specifier: string,
  context: unknown,
  next: NextResolve,
): Promise<ResolveResult> {
  const result = await next(specifier, context);
  appendFileSync(logFile, `${result.url}\n`);
  return result;
}
