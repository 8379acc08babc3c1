import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@sluice/testkit';
import { Redis } from 'ioredis';

/** A private redis-server on a free loopback port, for fault tests that stop or stall it. */
export class RedisServerProcess {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServerProcess> {
    const server = new RedisServerProcess(await freePort());
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async launch(): Promise<void> {
    this.child = spawn(
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
    // Poll until the child accepts connections (it needs a few ms to bind); give up after 5 s.
    const probe = new Redis(this.url, { retryStrategy: () => 20, maxRetriesPerRequest: null });
    probe.on('error', () => undefined);
    try {
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`redis-server on ${this.port} did not start`)), 5000).unref(),
      );
      await Promise.race([probe.ping(), timeout]);
    } catch (error) {
      this.child.kill('SIGKILL');
      throw error;
    } finally {
      probe.disconnect();
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
