import { fileURLToPath } from 'node:url';
import { RunningProcess } from '@sluice/testkit';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** `sluice-agent` as a child process (from source via tsx), started on ephemeral ports. */
export class AgentProcess {
  private constructor(
    readonly process: RunningProcess,
    readonly grpcPort: number,
    readonly httpPort: number,
  ) {}

  static async start(args: readonly string[], env: Record<string, string> = {}): Promise<AgentProcess> {
    const running = await RunningProcess.start({
      name: 'agent',
      args: ['--import', 'tsx', MAIN, ...args],
      env,
      readyLine: /^\{"listening"/,
    });
    const line = running.lines.find((text) => text.startsWith('{"listening"')) ?? '';
    const { listening } = JSON.parse(line) as { listening: { grpcPort: number; httpPort: number } };
    return new AgentProcess(running, listening.grpcPort, listening.httpPort);
  }

  /** All output so far (stdout and stderr interleaved), for failure messages. */
  output(): string {
    return this.process.lines.join('\n');
  }

  /** Sends SIGTERM and resolves with the exit code. */
  async stop(): Promise<number | null> {
    return (await this.process.stop()).code;
  }
}
