import { formatIssue, type SpecIssue } from '@sluice/spec';
import { urlProblem } from './arguments/parse-arguments.js';
import { badInput, failure } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import type { OptionSpec, ParsedArguments } from './command.js';

/** The controller's API (its own port, 8092) inside the cluster, for release `sluice` in `sluice-system`. */
export const DEFAULT_CONTROLLER_URL = 'http://sluice-controller.sluice-system.svc:8092';

/** Options every command that talks to the controller takes. */
export const CONTROLLER_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  controller: {
    type: 'string',
    valueName: 'URL',
    format: 'url',
    description: `Controller API base URL (default $SLUICE_CONTROLLER or ${DEFAULT_CONTROLLER_URL}).`,
  },
  token: {
    type: 'string',
    valueName: 'TOKEN',
    description: 'Bearer token for the API (default $SLUICE_TOKEN).',
  },
};

/** A small JSON client for the controller's HTTP API. Failures are CliErrors a person can act on. */
export class ControllerClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  static fromArguments(args: ParsedArguments, io: CliIo): ControllerClient {
    const url =
      (args.options['controller'] as string | undefined) ??
      io.env['SLUICE_CONTROLLER'] ??
      DEFAULT_CONTROLLER_URL;
    // --controller was checked while parsing; $SLUICE_CONTROLLER gets the same check here.
    const problem = urlProblem(url);
    if (problem !== undefined) {
      const from = args.options['controller'] !== undefined ? '--controller' : 'SLUICE_CONTROLLER';
      throw badInput(`${from}: "${url}" ${problem}`);
    }
    const token = (args.options['token'] as string | undefined) ?? io.env['SLUICE_TOKEN'];
    return new ControllerClient(url.replace(/\/+$/, ''), token === '' ? undefined : token);
  }

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw failure(
        `cannot reach the controller at ${this.baseUrl} (${cause}); set --controller or SLUICE_CONTROLLER`,
      );
    }
    const text = await response.text();
    let payload: { error?: string; issues?: SpecIssue[] } & Record<string, unknown>;
    try {
      payload = JSON.parse(text) as typeof payload;
    } catch {
      throw failure(
        `${method} ${path}: the controller answered ${response.status} with a body that is not JSON`,
      );
    }
    if (response.status === 401)
      throw failure(`the controller refused the token (401): pass --token or set SLUICE_TOKEN`);
    if (response.status === 400) {
      const issues = (payload.issues ?? []).map((issue) => `  - ${formatIssue(issue)}`).join('\n');
      throw badInput(`${payload.error ?? 'bad request'}${issues ? `:\n${issues}` : ''}`);
    }
    if (!response.ok) throw failure(`${method} ${path}: ${response.status} ${payload.error ?? ''}`.trim());
    return payload as T;
  }
}
