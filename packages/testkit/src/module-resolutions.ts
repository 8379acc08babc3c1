import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One step of a {@link resolvedModules} run: ES module code (top-level await allowed) and its name. */
export interface ResolutionStep {
  readonly name: string;
  readonly code: string;
}

export interface ResolvedModulesOptions {
  /** Directory the child process starts in; bare specifiers in `code` resolve from here. */
  readonly cwd: string;
  /** Run in order, in one process. */
  readonly steps: readonly ResolutionStep[];
  /** @default 60000 */
  readonly timeoutMs?: number;
}

export interface ResolvedModules {
  /** Step name → URLs Node's ESM resolver resolved while that step ran, in order. */
  readonly byStep: ReadonlyMap<string, readonly string[]>;
  /** What the child wrote to stdout. */
  readonly stdout: string;
}

const STEP_MARK = '#step ';

/**
 * Runs `steps` in a fresh Node process and reports which modules each step made Node resolve: every
 * `import`, `import()` and `import.meta.resolve`, seen by a resolve hook (`module.register`), so a
 * test can prove that importing an entry point does not reach a package (and that using it does).
 * `require()` calls made inside CommonJS packages bypass the ESM resolver and are not seen.
 *
 * @throws Error with the child's stderr when it exits with a non-zero code or times out.
 */
export async function resolvedModules(options: ResolvedModulesOptions): Promise<ResolvedModules> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-resolutions-'));
  const logFile = join(dir, 'resolved.log');
  const hooks = new URL('./module-resolution-hooks.js', import.meta.url).href;
  const register =
    `import { register } from 'node:module';` +
    `register(${JSON.stringify(hooks)}, { data: { logFile: ${JSON.stringify(logFile)} } });`;
  const script = [
    `import { appendFileSync } from 'node:fs';`,
    ...options.steps.flatMap((step) => [
      `appendFileSync(${JSON.stringify(logFile)}, ${JSON.stringify(`${STEP_MARK}${step.name}\n`)});`,
      step.code,
    ]),
  ].join('\n');
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          '--import',
          `data:text/javascript,${encodeURIComponent(register)}`,
          '--input-type=module',
          '--eval',
          script,
        ],
        { cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, encoding: 'utf8' },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      );
    });
    const byStep = new Map<string, string[]>();
    let current: string[] | undefined;
    for (const line of readFileSync(logFile, 'utf8').split('\n')) {
      if (line.startsWith(STEP_MARK)) byStep.set(line.slice(STEP_MARK.length), (current = []));
      else if (line !== '') current?.push(line);
    }
    return { byStep, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
