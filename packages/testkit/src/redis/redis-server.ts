/**
 * A private `redis-server` (the binary on PATH) on a free loopback port, for tests that kill, stall
 * (`DEBUG SLEEP`, hence `--enable-debug-command yes`) or restart Redis on the same port. Never the
 * shared Redis at REDIS_URL. No persistence (`--save ""`, `--appendonly no`): a restarted server
 * starts empty, as after losing its node.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { freePort } from '../network/free-port.js';
import { waitFor } from '../wait/wait-for.js';

const run = promisify(execFile);
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Sends one inline command and resolves with the first reply line, or rejects (refused, no answer in 1 s). */
function inlineCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000, () => socket.destroy(new Error('no answer within 1 s')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk.toString('utf8').split('\r\n')[0] ?? '');
    });
  });
}

export class RedisServer {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  private constructor(readonly port: number) {}

  /** Starts a server on a free port and waits until it answers PING. */
  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** (Re)starts the server on its port; resolves once it answers PING (5 s deadline). */
  async launch(): Promise<void> {
    if (this.running) throw new Error(`redis-server on ${this.port} is already running`);
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--enable-debug-command',
        'yes',
      ],
      { stdio: 'ignore' },
    );
    this.#child = child;
    live.add(child);
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => {
        live.delete(child);
        resolve();
      });
    });
    await waitFor(async () => (await inlineCommand(this.port, 'PING')) === '+PONG', {
      timeoutMs: 5_000,
      intervalMs: 20,
      what: `redis-server answering PING on port ${this.port}`,
    });
  }

  /** Kills the server with `signal` (no graceful pause: the process is gone) and waits for its exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) this.#child?.kill(signal);
    await this.#exited;
  }

  /** Keys matching `pattern`, read with `redis-cli --scan`. */
  async keys(pattern: string): Promise<string[]> {
    const { stdout } = await run(
      'redis-cli',
      ['-h', '127.0.0.1', '-p', String(this.port), '--scan', '--pattern', pattern],
      { timeout: 5_000 },
    );
    return stdout.split('\n').filter((line) => line !== '');
  }
}
