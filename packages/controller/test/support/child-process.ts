import { spawn, type ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * A real child process whose output is kept line by line, so a test waits for a log line (the
 * event itself, with a deadline that only turns a hang into a clear failure) instead of sleeping;
 * every line is stamped with when it arrived. Killed for sure when the test process exits.
 */
export class LoggedProcess {
  readonly lines: { atMs: number; text: string }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;
  readonly #waiters = new Set<{ pattern: RegExp; resolve: (line: { atMs: number; text: string }) => void }>();

  constructor(
    readonly name: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.#child = spawn(process.execPath, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.#child);
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        for (const text of parts) this.#line(text);
      });
    }
    this.exited = new Promise((resolve) =>
      this.#child.once('exit', (code, signal) => {
        live.delete(this.#child);
        resolve({ code, signal });
      }),
    );
  }

  /** The first line from index `from` on matching `pattern`, already printed or still to come. */
  waitForLine(pattern: RegExp, timeoutMs: number, from = 0): Promise<{ atMs: number; text: string }> {
    const seen = this.lines.slice(from).find((line) => pattern.test(line.text));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        pattern,
        resolve: (line: { atMs: number; text: string }) => {
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
    });
  }

  tail(count = 30): string {
    return this.lines
      .slice(-count)
      .map((line) => line.text)
      .join('\n');
  }

  /** SIGKILL (a crash); resolves when it is gone. */
  async kill(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  #line(text: string): void {
    const line = { atMs: Date.now(), text };
    this.lines.push(line);
    for (const waiter of [...this.#waiters]) if (waiter.pattern.test(text)) waiter.resolve(line);
  }
}
