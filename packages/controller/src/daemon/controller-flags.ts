import { parseArgs } from 'node:util';

export const USAGE = `Usage: sluice-controller [options]

Policy sources (at least one):
  --policies DIR        watch a directory of FlowPolicy YAML files
  --kubernetes          watch FlowPolicy resources in --namespace
Options:
  --state-dir DIR       persist control-loop baselines here (file mode)
  --namespace NAME      namespace watched with --kubernetes (default sluice-system)
  --grpc-port PORT      AgentSync gRPC port (default 8090)
  --http-port PORT      /metrics, /healthz, /readyz (default 8091)
  --api-port PORT       the /v1 API sluicectl uses (default 8092)
  --bind-address IP     address of AgentSync and the probes (default 0.0.0.0; AgentSync
                        binds 127.0.0.1 with --agent-auth none unless this is given)
  --api-bind-address IP address of the API (default 127.0.0.1 without a token, else
                        --bind-address); a non-loopback address needs a token
  --log-level LEVEL     debug, info, warn or error (default info)
  --control-point-expiry D  a control point without traffic is forgotten after D (default 60s)
  --config FILE         YAML or JSON file with the same keys in camelCase
  -h, --help            print this help
Credentials (Kubernetes Secrets are created at run time when absent, never rendered):
  --api-token-secret NAME   Secret (key token) holding the API token; created if absent
  --record-key-secret NAME  Secret (key record-key) agents mount to sign decision records
  --agent-auth MODE         kubernetes, token or none (default kubernetes with --kubernetes,
                            else token with --agent-token-file, else none)
  --agent-token-file FILE   the token agents present with --agent-auth token
  --agent-service-account NS/NAME  the agents' service account (--agent-auth kubernetes)
Leader election (several replicas; only the leader serves agents and writes status):
  --leader-election     elect a leader through a coordination.k8s.io Lease
  --lease-name NAME     the Lease, in POD_NAMESPACE (default sluice-controller)
  --lease-duration D    followers take an unrenewed Lease after D (default 8s)
  --renew-deadline D    the leader steps down after D without renewing (default 6s)
  --retry-period D      between attempts to acquire or renew (default 2s)
Environment: SLUICE_CONTROLLER_<KEY> for every option (SLUICE_CONTROLLER_GRPC_PORT=8090),
SLUICE_CONTROLLER_API_TOKEN, the bearer token the /v1 API then requires, and for leader election
POD_NAME (identity in the Lease; default hostname_pid) and POD_NAMESPACE (default --namespace).
Flags win over the environment, which wins over --config.`;

export type FlagsResult =
  | { readonly kind: 'help' }
  | { readonly kind: 'run'; readonly configFile: string | undefined; readonly flags: Record<string, unknown> }
  | { readonly kind: 'error'; readonly message: string };

/** Numbers stay strings if they are not numbers, so the schema names the flag and the bad value. */
function numberOrText(value: string | undefined): unknown {
  return value !== undefined && /^[0-9]+$/.test(value) ? Number(value) : value;
}

/** Parses argv into schema-keyed flags. Unknown flags and stray arguments are errors. */
export function parseControllerFlags(argv: readonly string[]): FlagsResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        policies: { type: 'string' },
        kubernetes: { type: 'boolean' },
        'state-dir': { type: 'string' },
        namespace: { type: 'string' },
        'grpc-port': { type: 'string' },
        'http-port': { type: 'string' },
        'api-port': { type: 'string' },
        'bind-address': { type: 'string' },
        'api-bind-address': { type: 'string' },
        'api-token-secret': { type: 'string' },
        'record-key-secret': { type: 'string' },
        'agent-auth': { type: 'string' },
        'agent-token-file': { type: 'string' },
        'agent-service-account': { type: 'string' },
        'control-point-expiry': { type: 'string' },
        'log-level': { type: 'string' },
        'leader-election': { type: 'boolean' },
        'lease-name': { type: 'string' },
        'lease-duration': { type: 'string' },
        'renew-deadline': { type: 'string' },
        'retry-period': { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { kind: 'error', message: `${(error as Error).message}\n\n${USAGE}` };
  }
  const values = parsed.values;
  if (values.help === true) return { kind: 'help' };
  return {
    kind: 'run',
    configFile: values.config,
    flags: {
      policies: values.policies,
      kubernetes: values.kubernetes,
      stateDir: values['state-dir'],
      namespace: values.namespace,
      grpcPort: numberOrText(values['grpc-port']),
      httpPort: numberOrText(values['http-port']),
      apiPort: numberOrText(values['api-port']),
      bindAddress: values['bind-address'],
      apiBindAddress: values['api-bind-address'],
      apiTokenSecret: values['api-token-secret'],
      recordKeySecret: values['record-key-secret'],
      agentAuth: values['agent-auth'],
      agentTokenFile: values['agent-token-file'],
      agentServiceAccount: values['agent-service-account'],
      controlPointExpiry: values['control-point-expiry'],
      logLevel: values['log-level'],
      leaderElection: values['leader-election'],
      leaseName: values['lease-name'],
      leaseDuration: values['lease-duration'],
      renewDeadline: values['renew-deadline'],
      retryPeriod: values['retry-period'],
    },
  };
}
