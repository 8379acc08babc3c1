#!/usr/bin/env node
/**
 * `sluice-proxy`: runs the proxy from a YAML/JSON config file, with flags for the common overrides.
 *
 *   sluice-proxy --config proxy.yaml
 *   sluice-proxy --listen 127.0.0.1:10000 --upstream 127.0.0.1:8099 --agent 127.0.0.1:8080 --access-log
 *
 * Exits 2 on bad input, 1 on failure; stops cleanly (flushing access logs) on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { SpecValidationError } from '@sluice/spec';
import { parseProxyConfig } from './proxy-config.js';
import { startProxy } from './proxy-server.js';

const USAGE = `usage: sluice-proxy [--config FILE] [--listen HOST:PORT] [--upstream HOST:PORT] [--agent HOST:PORT]
                    [--admin HOST:PORT] [--control-point NAME] [--route-timeout-ms MS] [--access-log]
                    [--decision-header]`;

function hostPort(flag: string, value: string): { host: string; port: number } {
  const match = /^(.*):([0-9]{1,5})$/.exec(value);
  if (!match?.[1] || match[2] === undefined)
    throw new UsageError(`--${flag} ${value}: expected HOST:PORT such as 127.0.0.1:10000`);
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
}

class UsageError extends Error {}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** File values first, flags over them. */
function buildInput(argv: string[]): {
  input: Record<string, unknown>;
  decisionHeader: boolean;
  source: string;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      listen: { type: 'string' },
      upstream: { type: 'string' },
      agent: { type: 'string' },
      admin: { type: 'string' },
      'control-point': { type: 'string' },
      'route-timeout-ms': { type: 'string' },
      'access-log': { type: 'boolean' },
      'decision-header': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const input =
    values.config === undefined ? {} : { ...record(parseYaml(readFileSync(values.config, 'utf8'))) };
  const extAuthz = { ...record(input['extAuthz']) };
  if (values.listen !== undefined) input['listen'] = hostPort('listen', values.listen);
  if (values.upstream !== undefined) input['upstream'] = hostPort('upstream', values.upstream);
  if (values.admin !== undefined) input['admin'] = hostPort('admin', values.admin);
  if (values['route-timeout-ms'] !== undefined) {
    const timeout = values['route-timeout-ms'];
    if (!/^[0-9]{1,9}$/.test(timeout))
      throw new UsageError(
        `--route-timeout-ms ${timeout}: expected whole milliseconds such as 15000 (0 disables it)`,
      );
    if (input['upstream'] === undefined)
      throw new UsageError('--route-timeout-ms needs --upstream or a config file upstream');
    input['upstream'] = { ...record(input['upstream']), routeTimeoutMs: Number(timeout) };
  }
  if (values.agent !== undefined) extAuthz['target'] = values.agent;
  if (values['control-point'] !== undefined) extAuthz['controlPoint'] = values['control-point'];
  input['extAuthz'] = extAuthz;
  if (values['access-log'] && input['accessLog'] === undefined) {
    input['accessLog'] = { target: extAuthz['target'], logName: extAuthz['controlPoint'] ?? 'ingress' };
  }
  return {
    input,
    decisionHeader: values['decision-header'] ?? false,
    source: values.config ?? 'command-line flags',
  };
}

async function main(): Promise<void> {
  let built: ReturnType<typeof buildInput>;
  try {
    built = buildInput(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`sluice-proxy: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  let proxy;
  try {
    proxy = await startProxy(parseProxyConfig(built.input, built.source), {
      decisionHeader: built.decisionHeader,
    });
  } catch (error) {
    process.stderr.write(`sluice-proxy: ${(error as Error).message}\n`);
    process.exit(error instanceof SpecValidationError ? 2 : 1);
  }
  const { config } = proxy;
  process.stdout.write(
    `sluice-proxy listening on ${proxy.url} → upstream ${config.upstream.host}:${config.upstream.port}, ext_authz ${config.extAuthz.target} (control point ${config.extAuthz.controlPoint})` +
      `${proxy.adminPort === undefined ? '' : `, admin port ${proxy.adminPort}`}\n`,
  );
  const stop = () => {
    void proxy.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
