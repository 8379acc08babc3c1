import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** One compiler diagnostic, located in the file it is about (line and column 1-based). */
export interface ConfigDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/**
 * Options for type-checking a `sluice.config.ts` as the repository's own sources are checked (strict,
 * with unchecked index access), but with no output and resolution that accepts how tsx loads it:
 * extensionless, `.js` and `.ts` specifiers alike.
 */
const CHECK_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts'],
  module: ts.ModuleKind.Preserve,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  esModuleInterop: true,
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  skipLibCheck: true,
  noEmit: true,
};

/** This file: `@sluice/*` imports a config cannot resolve from its own folder resolve from the CLI's. */
const CLI_MODULE = fileURLToPath(import.meta.url);

/**
 * Type-checks a TypeScript config with the TypeScript compiler and returns the diagnostics of the config
 * and of the files beside it (its folder, outside node_modules); libraries it imports are the libraries'
 * business. A misspelt key of `defineSluiceConfig({...})` is an excess-property error here.
 */
export function typecheckConfig(cwd: string, file: string): ConfigDiagnostic[] {
  const root = resolve(cwd, file);
  const host = ts.createCompilerHost(CHECK_OPTIONS, true);
  const cache = ts.createModuleResolutionCache(cwd, (name) => name, CHECK_OPTIONS);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, options) =>
    literals.map((literal) => {
      const name = literal.text;
      const found = ts.resolveModuleName(name, containingFile, options, host, cache, redirected);
      if (found.resolvedModule !== undefined || !name.startsWith('@sluice/')) return found;
      return ts.resolveModuleName(name, CLI_MODULE, options, host, cache, redirected);
    });
  const program = ts.createProgram({ rootNames: [root], options: CHECK_OPTIONS, host });
  const own = `${dirname(root)}${sep}`;
  const checked = program
    .getSourceFiles()
    .filter(
      (source) =>
        !source.isDeclarationFile &&
        resolve(source.fileName).startsWith(own) &&
        !resolve(source.fileName).includes(`${sep}node_modules${sep}`),
    );
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...checked.flatMap((source) => [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ]),
  ];
  return diagnostics.map((diagnostic) => located(cwd, diagnostic));
}

function located(cwd: string, diagnostic: ts.Diagnostic): ConfigDiagnostic {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  const source = diagnostic.file;
  if (source === undefined || diagnostic.start === undefined)
    return { file: '(compiler options)', line: 0, column: 0, message };
  const { line, character } = source.getLineAndCharacterOfPosition(diagnostic.start);
  return { file: relative(cwd, source.fileName), line: line + 1, column: character + 1, message };
}

/** `file:line:col: message`, the form editors and terminals turn into links. */
export function formatDiagnostic(diagnostic: ConfigDiagnostic): string {
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.message}`;
}
