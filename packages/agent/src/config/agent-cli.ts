import { parseArgs } from 'node:util';
import { AgentConfigSchema, loadConfig, type AgentConfig } from '@sluice/spec';

export const USAGE = `Usage: sluice-agent [flags]

Envoy ext_authz v3 and OTLP access-log server that schedules, prioritises and rate-limits requests.

Flags (each also settable in the config file and as SLUICE_AGENT_<NAME> in the environment;
flags win over the environment, which wins over the file):
  --config FILE                  YAML or JSON config file
  --grpc-port PORT               ext_authz Check + OTLP logs (default 8080)
  --http-port PORT               /metrics, /healthz, /readyz, /v1/control-points (default 8081)
  --controller ADDRESS           controller AgentSync address (none: admit everything):
                                 HOST:PORT, or every replica as dns:///HOST:PORT
                                 (a headless Service) or ipv4:IP:PORT,IP:PORT
  --agent-group NAME             agent group (default "default")
  --redis-url redis://HOST:PORT  Redis for global rate limits; credentials only from
                                 REDIS_USERNAME / REDIS_PASSWORD in the environment
  --default-control-point NAME   control point for Checks that carry none
  --report-interval-ms MS        how often to report to the controller (default 1000)
  --controller-token-file FILE   token sent to the controller on every connect
                                 (authorization: Bearer; re-read each time)
  --log-level LEVEL              debug, info, warn or error (default info)
  --drain-delay-seconds S        on SIGTERM, keep serving this long with /readyz failing
                                 before the gRPC drain (default 0)
  --bind-address ADDRESS         address both listeners bind to (default 0.0.0.0)
  --record-key-file FILE         key that signs decision records, shared by every agent on
                                 the node (a mounted Secret); unset: an ephemeral key
  --accept-v1-records            also read unsigned v1 decision records (upgrades from 0.1
                                 only: anyone who reaches the gRPC port can forge them)
  --help                         print this text
`;

/** What the command line asked for. */
export type CliRequest = { readonly kind: 'help' } | { readonly kind: 'run'; readonly config: AgentConfig };

/** Thrown for bad command-line input; main exits 2 with its message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A numeric flag as a number; range checks are the schema's (so they name the allowed range once). */
function wholeNumber(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw)) throw new UsageError(`--${flag} ${JSON.stringify(raw)} is not a whole number`);
  return Number(raw);
}

function port(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw))
    throw new UsageError(
      `--${flag} ${JSON.stringify(raw)} is not a port: use a whole number from 1 to 65535`,
    );
  return Number(raw);
}

/**
 * Parses argv and merges it with the config file and environment (validated once by the spec
 * schema). Throws UsageError for unknown flags or values, SpecValidationError for bad config.
 */
export function parseAgentCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CliRequest {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        'grpc-port': { type: 'string' },
        'http-port': { type: 'string' },
        controller: { type: 'string' },
        'agent-group': { type: 'string' },
        'redis-url': { type: 'string' },
        'default-control-point': { type: 'string' },
        'log-level': { type: 'string' },
        'report-interval-ms': { type: 'string' },
        'drain-delay-seconds': { type: 'string' },
        'bind-address': { type: 'string' },
        'record-key-file': { type: 'string' },
        'accept-v1-records': { type: 'boolean' },
        'controller-token-file': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help === true) return { kind: 'help' };
  const config = loadConfig(AgentConfigSchema, {
    ...(values.config !== undefined ? { file: values.config } : {}),
    env,
    envPrefix: 'SLUICE_AGENT_',
    flags: {
      grpcPort: port('grpc-port', values['grpc-port']),
      httpPort: port('http-port', values['http-port']),
      controller: values.controller,
      agentGroup: values['agent-group'],
      redisUrl: values['redis-url'],
      defaultControlPoint: values['default-control-point'],
      logLevel: values['log-level'],
      reportIntervalMs: wholeNumber('report-interval-ms', values['report-interval-ms']),
      drainDelaySeconds: wholeNumber('drain-delay-seconds', values['drain-delay-seconds']),
      bindAddress: values['bind-address'],
      recordKeyFile: values['record-key-file'],
      acceptV1Records: values['accept-v1-records'],
      controllerTokenFile: values['controller-token-file'],
    },
  });
  return { kind: 'run', config };
}
