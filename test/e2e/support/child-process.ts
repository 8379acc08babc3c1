/**
 * Real child processes for the end-to-end tests: spawned with this Node, their output kept line by
 * line so a test can wait for a log line (with a deadline) instead of sleeping, and killed for sure:
 * SIGTERM, then SIGKILL after a grace period, and SIGKILL for any left when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface StartOptions {
  /** Shown in failure messages, e.g. `agent`. */
  readonly name: string;
  /** The script, e.g. `packages/agent/dist/main.js`, then its arguments. */
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** A line on stdout or stderr that says the process is serving. */
  readonly readyLine: RegExp;
  /** @default 20000 */
  readonly readyTimeoutMs?: number;
}

export class RunningProcess {
  readonly #child: ChildProcess;
  readonly #lines: string[] = [];
  readonly #waiters = new Set<{ pattern: RegExp; from: number; resolve: (line: string) => void }>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  private constructor(
    readonly name: string,
    child: ChildProcess,
  ) {
    this.#child = child;
    live.add(child);
    const collect = (stream: NodeJS.ReadableStream | null) => {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) this.#line(line);
      });
    };
    collect(child.stdout);
    collect(child.stderr);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
  }

  static async start(options: StartOptions): Promise<RunningProcess> {
    const child = spawn(process.execPath, [...options.args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running = new RunningProcess(options.name, child);
    try {
      await running.waitForLine(options.readyLine, options.readyTimeoutMs ?? 20_000, 0);
    } catch (error) {
      await running.stop();
      throw error;
    }
    return running;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Every line so far (stdout and stderr interleaved as they arrived). */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /** Count of lines so far: pass it as `from` to wait only for later lines. */
  get lineCount(): number {
    return this.#lines.length;
  }

  /** Resolves with the first line from index `from` on matching `pattern`; rejects after `timeoutMs` or on exit. */
  waitForLine(pattern: RegExp, timeoutMs: number, from = 0): Promise<string> {
    const seen = this.#lines.slice(from).find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        pattern,
        from,
        resolve: (line: string) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `${this.name}: no line matching ${pattern} within ${timeoutMs} ms; output:\n${this.tail()}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
      void this.exited.then((exit) => {
        if (!this.#waiters.has(waiter)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `${this.name} exited (${exit.code ?? exit.signal}) before ${pattern}; output:\n${this.tail()}`,
          ),
        );
      });
    });
  }

  tail(count = 30): string {
    return this.#lines.slice(-count).join('\n');
  }

  /** SIGKILL at once (a crash), resolves when it is gone. */
  async kill(): Promise<void> {
    if (this.#exit === undefined) this.#child.kill('SIGKILL');
    await this.exited;
  }

  /** `signal` (SIGTERM), then SIGKILL after `graceMs`; resolves with how it exited. */
  async stop(
    graceMs = 5_000,
    signal: NodeJS.Signals = 'SIGTERM',
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.#exit !== undefined) return this.#exit;
    this.#child.kill(signal);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  #line(line: string): void {
    const index = this.#lines.push(line) - 1;
    for (const waiter of [...this.#waiters]) {
      if (index >= waiter.from && waiter.pattern.test(line)) waiter.resolve(line);
    }
  }
}
