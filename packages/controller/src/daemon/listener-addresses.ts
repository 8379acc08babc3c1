import { isIP } from 'node:net';
import type { AgentAuthMode } from '@sluice/spec';

/** Where each listener binds. */
export interface ListenerAddresses {
  /** AgentSync. */
  readonly grpcHost: string;
  /** /healthz, /readyz, /metrics (kubelet and Prometheus reach them by pod IP). */
  readonly httpHost: string;
  /** The /v1 API. */
  readonly apiHost: string;
}

/** 127.0.0.0/8 and ::1 (also as an IPv4-mapped address). */
export function isLoopbackAddress(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  const lower = address.toLowerCase();
  return lower === '::1' || lower.startsWith('::ffff:127.');
}

/**
 * Resolves the listeners' addresses from the config, secure by default: the API binds loopback unless a
 * token protects it (a non-loopback API without a token is refused, returned as an error message), and
 * AgentSync binds loopback when agents are not authenticated, unless an address is given explicitly.
 */
export function listenerAddresses(options: {
  readonly bindAddress: string | undefined;
  readonly apiBindAddress: string | undefined;
  readonly apiTokenConfigured: boolean;
  readonly agentAuth: AgentAuthMode;
}):
  | { readonly ok: true; readonly value: ListenerAddresses }
  | { readonly ok: false; readonly message: string } {
  const { bindAddress, apiBindAddress, apiTokenConfigured, agentAuth } = options;
  const apiHost = apiBindAddress ?? (apiTokenConfigured ? (bindAddress ?? '0.0.0.0') : '127.0.0.1');
  if (!apiTokenConfigured && !isLoopbackAddress(apiHost))
    return {
      ok: false,
      message: `apiBindAddress: ${JSON.stringify(apiHost)} is not allowed without an API token; set SLUICE_CONTROLLER_API_TOKEN (from a Secret) or apiTokenSecret, or bind a loopback address such as 127.0.0.1 (kubectl port-forward reaches it)`,
    };
  return {
    ok: true,
    value: {
      grpcHost: bindAddress ?? (agentAuth === 'none' ? '127.0.0.1' : '0.0.0.0'),
      httpHost: bindAddress ?? '0.0.0.0',
      apiHost,
    },
  };
}
