import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** `sluice-agent` as a child process (from source via tsx), started on ephemeral ports. */
export class AgentProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly grpcPort: number,
    readonly httpPort: number,
    readonly stderr: () => string,
  ) {}

  static async start(args: readonly string[], env: Record<string, string> = {}): Promise<AgentProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ports = await new Promise<{ grpcPort: number; httpPort: number }>((resolve, reject) => {
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split('\n').find((l) => l.startsWith('{"listening"'));
        if (line)
          resolve((JSON.parse(line) as { listening: { grpcPort: number; httpPort: number } }).listening);
      });
      child.once('exit', (code) =>
        reject(new Error(`agent exited with ${String(code)} before listening: ${stderr}`)),
      );
    });
    return new AgentProcess(child, ports.grpcPort, ports.httpPort, () => stderr);
  }

  /** Resolves once stderr contains `pattern` (at once if it already does); rejects if the process exits first. */
  waitForStderr(pattern: RegExp): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pattern.test(this.stderr())) return false;
        this.child.stderr?.off('data', check);
        resolve();
        return true;
      };
      if (check()) return;
      this.child.stderr?.on('data', check);
      this.child.once('exit', () => (check() ? undefined : reject(new Error(`exited before ${pattern}`))));
    });
  }

  /** Resolves with the exit code once the process has exited. */
  exited(): Promise<number | null> {
    if (this.child.exitCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Sends SIGTERM and resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGTERM');
    return exited;
  }
}
