/**
 * The live demo's child processes: Sluice's controller, agent and proxy started from their packages'
 * executables (declared dependencies, resolved by package name), each awaited on the line it prints
 * when serving, and stopped with SIGTERM (SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const BINS = {
  controller: ['@sluice/controller', 'sluice-controller'],
  agent: ['@sluice/agent', 'sluice-agent'],
  proxy: ['@sluice/proxy', 'sluice-proxy'],
} as const;

/** The executable of `@sluice/<name>` as its package.json `bin` names it, resolved as Node resolves the package. */
export function packageBin(name: 'controller' | 'agent' | 'proxy'): string {
  const [packageName, binName] = BINS[name];
  const manifestPath = createRequire(import.meta.url).resolve(`${packageName}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: Record<string, string> };
  const relative = manifest.bin?.[binName];
  if (relative === undefined) throw new Error(`${manifestPath}: no bin '${binName}'`);
  return join(dirname(manifestPath), relative);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class DemoProcess {
  readonly #lines: string[] = [];
  readonly exited: Promise<number | null>;
  #done = false;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const collect = (stream: NodeJS.ReadableStream | null) => {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        this.#lines.push(...parts);
        if (this.#lines.length > 500) this.#lines.splice(0, this.#lines.length - 500);
      });
    };
    collect(child.stdout);
    collect(child.stderr);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.#done = true;
        resolve(code);
      }),
    );
  }

  static async start(
    name: string,
    args: readonly string[],
    readyLine: RegExp,
    env: Record<string, string> = {},
  ): Promise<DemoProcess> {
    const child = spawn(process.execPath, [...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running = new DemoProcess(name, child);
    const deadline = Date.now() + 30_000;
    while (!running.#lines.some((line) => readyLine.test(line))) {
      if (running.#done) throw new Error(`${name} exited before it was ready:\n${running.tail()}`);
      if (Date.now() > deadline) {
        await running.stop();
        throw new Error(`${name} was not ready within 30 s:\n${running.tail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return running;
  }

  tail(count = 20): string {
    return this.#lines.slice(-count).join('\n');
  }

  async stop(graceMs = 5_000): Promise<number | null> {
    if (!this.#done) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
