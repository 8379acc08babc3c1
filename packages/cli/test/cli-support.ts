import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS, runCli, type CliIo } from '../src/index.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs sluicectl in-process with captured output. */
export async function sluicectl(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    ...(options.stdin !== undefined ? { stdin: () => options.stdin ?? '' } : {}),
  };
  const code = await runCli(COMMANDS, argv, io);
  return { code, stdout, stderr };
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'sluicectl-'));
