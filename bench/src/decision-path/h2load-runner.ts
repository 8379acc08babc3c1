/**
 * Runs h2load (nghttp2-client) against a gRPC endpoint with a pre-encoded body. h2load is C, one
 * thread, and replays the same bytes: on a 2-core machine it leaves the other core to the server
 * under test, which a Node load generator could not.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseH2loadLog, parseH2loadSummary, type H2loadSummary } from './h2load-output.js';

const run = promisify(execFile);

export const H2LOAD_INSTALL_HINT =
  'h2load not found: install it with `apt-get install -y nghttp2-client` (Debian/Ubuntu) or `brew install nghttp2` (macOS)';

/** h2load's version line, or undefined when it is not on PATH. */
export function h2loadVersion(): string | undefined {
  try {
    return execFileSync('h2load', ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** Whether this h2load paces requests with `--rps` (nghttp2 ≥ 1.43). */
export function h2loadHasRps(): boolean {
  try {
    return execFileSync('h2load', ['--help'], { encoding: 'utf8' }).includes('--rps');
  } catch {
    return false;
  }
}

export interface H2loadRunOptions {
  /** `http://127.0.0.1:PORT/package.Service/Method`. */
  readonly url: string;
  /** The request body, a framed gRPC message. */
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly requests: number;
  /** HTTP/2 connections (`-c`). */
  readonly clients: number;
  /** Concurrent streams per connection (`-m`). */
  readonly streamsPerClient: number;
  /** Requests per second per connection (`--rps`); unset = as fast as the server answers. */
  readonly ratePerClient?: number;
  /** Keep per-request latencies (`--log-file`). @default false */
  readonly latencies?: boolean;
}

export interface H2loadRun {
  readonly summary: H2loadSummary;
  /** Per-request latency of successful requests, ms; empty unless asked for. */
  readonly latenciesMs: readonly number[];
  readonly args: readonly string[];
}

/** @throws Error with h2load's output when it exits non-zero or prints no summary. */
export async function runH2load(options: H2loadRunOptions): Promise<H2loadRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-h2load-'));
  try {
    const bodyFile = join(dir, 'body.bin');
    const logFile = join(dir, 'requests.log');
    writeFileSync(bodyFile, options.body);
    const args = [
      '-n',
      String(options.requests),
      '-c',
      String(options.clients),
      '-m',
      String(options.streamsPerClient),
      '-t',
      '1',
      '-d',
      bodyFile,
      ...Object.entries(options.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
      ...(options.ratePerClient !== undefined ? ['--rps', String(options.ratePerClient)] : []),
      ...(options.latencies === true ? [`--log-file=${logFile}`] : []),
      options.url,
    ];
    const { stdout } = await run('h2load', args, { maxBuffer: 16 * 1024 * 1024 });
    const summary = parseH2loadSummary(stdout);
    const latenciesMs = options.latencies === true ? parseH2loadLog(readFileSync(logFile, 'utf8')) : [];
    return { summary, latenciesMs, args: args.map((arg) => (arg === bodyFile ? '<body>' : arg)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
