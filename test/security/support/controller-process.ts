/**
 * A real `sluice-controller` process on free loopback ports (its package's built executable), with a
 * policy directory, for the security tests. `stop()` kills it and removes its files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, RunningProcess } from '@sluice/testkit';
import { bin } from '@sluice/e2e-kit';

export interface ControllerPorts {
  readonly grpc: number;
  readonly http: number;
  readonly api: number;
}

export class ControllerProcess {
  private constructor(
    readonly process: RunningProcess,
    readonly ports: ControllerPorts,
    readonly dir: string,
    /** The line it printed once serving: where each listener is bound. */
    readonly servingLine: string,
  ) {}

  /**
   * Starts the controller with `policies` (file name → FlowPolicy) and the extra `args`/`env`; resolves
   * once it prints where it serves.
   */
  static async start(options: {
    readonly policies?: Readonly<Record<string, unknown>>;
    /** Extra arguments; a function gets the controller's directory first, to write files they name. */
    readonly args?: readonly string[] | ((dir: string) => readonly string[]);
    readonly env?: Readonly<Record<string, string>>;
  }): Promise<ControllerProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-security-'));
    const policies = join(dir, 'policies');
    mkdirSync(policies);
    for (const [name, policy] of Object.entries(options.policies ?? {}))
      writeFileSync(join(policies, `${name}.yaml`), stringify(policy));
    const ports = { grpc: await freePort(), http: await freePort(), api: await freePort() };
    const process = await RunningProcess.start({
      name: 'controller',
      args: [
        bin('controller'),
        '--policies',
        policies,
        '--grpc-port',
        String(ports.grpc),
        '--http-port',
        String(ports.http),
        '--api-port',
        String(ports.api),
        ...(typeof options.args === 'function' ? options.args(dir) : (options.args ?? [])),
      ],
      env: { ...(options.env ?? {}) },
      readyLine: /AgentSync on/,
    });
    const line = process.lines.find((candidate) => /AgentSync on/.test(candidate)) ?? '';
    return new ControllerProcess(process, ports, dir, line);
  }

  /** The probes' and metrics' `/metrics` text. */
  async metrics(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.ports.http}/metrics`, {
      signal: AbortSignal.timeout(10_000),
    });
    return response.text();
  }

  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A file holding `text`, in a directory of its own (the caller removes it with the controller's). */
export function writeSecretFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}
