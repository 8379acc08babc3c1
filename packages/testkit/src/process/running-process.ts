/**
 * Real child processes for tests: spawned with this Node, their output kept line by line (each line
 * stamped with when it arrived) so a test waits for a log line (with a deadline that only turns a hang
 * into a clear failure) instead of sleeping, and killed for sure: SIGTERM, then SIGKILL after a grace
 * period, and SIGKILL for any left when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** One line of output and when it arrived (`Date.now()`), for measuring how long something took. */
export interface ProcessLine {
  readonly atMs: number;
  readonly text: string;
}

export interface SpawnOptions {
  /** Shown in failure messages, e.g. `agent`. */
  readonly name: string;
  /** The script, e.g. the agent's `dist/main.js`, then its arguments. */
  readonly args: readonly string[];
  /** Added to this process's environment, or the whole environment when `inheritEnv` is false. */
  readonly env?: Readonly<Record<string, string>>;
  /** @default true */
  readonly inheritEnv?: boolean;
}

export interface StartOptions extends SpawnOptions {
  /** A line on stdout or stderr that says the process is serving. */
  readonly readyLine: RegExp;
  /** @default 20000 */
  readonly readyTimeoutMs?: number;
}

export class RunningProcess {
  readonly #child: ChildProcess;
  readonly #lines: string[] = [];
  readonly #stamped: ProcessLine[] = [];
  readonly #waiters = new Set<{ pattern: RegExp; from: number; resolve: (line: ProcessLine) => void }>();
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

  /** Spawns the process and returns at once: wait for its lines with `waitForLine`. */
  static spawn(options: SpawnOptions): RunningProcess {
    const env = options.inheritEnv === false ? { ...options.env } : { ...process.env, ...options.env };
    const child = spawn(process.execPath, [...options.args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new RunningProcess(options.name, child);
  }

  /** Spawns the process and resolves once it printed `readyLine` (stopped, and rejects, if it does not). */
  static async start(options: StartOptions): Promise<RunningProcess> {
    const running = RunningProcess.spawn(options);
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

  /** Every line so far with when it arrived. */
  get stampedLines(): readonly ProcessLine[] {
    return this.#stamped;
  }

  /** Count of lines so far: pass it as `from` to wait only for later lines. */
  get lineCount(): number {
    return this.#lines.length;
  }

  /** Resolves with the first line from index `from` on matching `pattern`; rejects after `timeoutMs` or on exit. */
  waitForLine(pattern: RegExp, timeoutMs: number, from = 0): Promise<ProcessLine> {
    const seen = this.#stamped.slice(from).find((line) => pattern.test(line.text));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        pattern,
        from,
        resolve: (line: ProcessLine) => {
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

  #line(text: string): void {
    const line = { atMs: Date.now(), text };
    const index = this.#lines.push(text) - 1;
    this.#stamped.push(line);
    for (const waiter of [...this.#waiters]) {
      if (index >= waiter.from && waiter.pattern.test(text)) waiter.resolve(line);
    }
  }
}
