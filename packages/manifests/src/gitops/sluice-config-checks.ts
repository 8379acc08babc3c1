import type { FlowPolicy } from '@sluice/spec';

/**
 * Combinations of a Sluice config that each part accepts alone but that do not work together, and that
 * would otherwise synthesise quietly into something else than the author meant. Each finding names both
 * places, so the fix can go either way.
 */
export interface ConfigConflict {
  /** Where the setting that cannot work is, as a path in the config. */
  readonly path: (string | number)[];
  readonly message: string;
}

/** The parts of a config the checks read (values as written: unset keys mean the chart's defaults). */
export interface CheckedConfig {
  readonly release: string;
  readonly namespace: string;
  readonly sluice: { readonly values: SluiceValuesRead };
  readonly istioConfig: { readonly enabled: boolean; readonly values: IstioValuesRead };
  readonly policies: readonly FlowPolicy[];
}

interface SluiceValuesRead {
  readonly agent?: {
    readonly enabled?: boolean;
    readonly defaultControlPoint?: string;
    readonly ports?: { readonly grpc?: number };
    readonly redis?: { readonly url?: string };
  };
}

interface IstioValuesRead {
  readonly mode?: string;
  readonly agent?: { readonly release?: string; readonly namespace?: string; readonly port?: number };
  readonly sidecarMode?: { readonly enabled?: boolean };
}

// The charts' defaults for the keys read here (values.yaml of sluice and istioconfig).
const DEFAULT_AGENT_GRPC_PORT = 8080;
const DEFAULT_ISTIO_AGENT_RELEASE = 'sluice';
const DEFAULT_ISTIO_AGENT_NAMESPACE = 'sluice-system';

/** Every conflict of the config; none when the agent is not installed by it (it runs elsewhere). */
export function configConflicts(config: CheckedConfig): ConfigConflict[] {
  const agent = config.sluice.values.agent ?? {};
  if (agent.enabled === false) return [];
  return [...redisConflicts(config), ...istioConflicts(config)];
}

/** A shared (redis) bucket needs the agents' Redis; without it each agent silently keeps its own. */
function redisConflicts(config: CheckedConfig): ConfigConflict[] {
  if (config.sluice.values.agent?.redis?.url !== undefined) return [];
  const conflicts: ConfigConflict[] = [];
  config.policies.forEach((policy, index) => {
    policy.spec.rateLimiters.forEach((limiter, limiterIndex) => {
      if (limiter.backend !== 'redis') return;
      conflicts.push({
        path: ['policies', index, 'spec', 'rateLimiters', limiterIndex, 'backend'],
        message:
          "backend redis needs the agents' Redis, but sluice.values.agent.redis.url is not set, so every agent would keep its own local bucket; set sluice.values.agent.redis.url or use backend: local",
      });
    });
  });
  return conflicts;
}

/** The mesh must dial the agent this config installs, and extensionProvider mode needs a default control point. */
function istioConflicts(config: CheckedConfig): ConfigConflict[] {
  if (!config.istioConfig.enabled) return [];
  const istio = config.istioConfig.values;
  if (istio.sidecarMode?.enabled === true) return [];
  const agent = config.sluice.values.agent ?? {};
  const conflicts: ConfigConflict[] = [];
  const release = istio.agent?.release ?? DEFAULT_ISTIO_AGENT_RELEASE;
  if (release !== config.release) {
    conflicts.push({
      path: ['istioConfig', 'values', 'agent', 'release'],
      message: `Envoy would dial the agent of release "${release}", but this config installs release "${config.release}" (release); set istioConfig.values.agent.release to "${config.release}"`,
    });
  }
  const namespace = istio.agent?.namespace ?? DEFAULT_ISTIO_AGENT_NAMESPACE;
  if (namespace !== config.namespace) {
    conflicts.push({
      path: ['istioConfig', 'values', 'agent', 'namespace'],
      message: `Envoy would dial the agent in namespace "${namespace}", but this config installs it in "${config.namespace}" (namespace); set istioConfig.values.agent.namespace to "${config.namespace}"`,
    });
  }
  const port = istio.agent?.port ?? DEFAULT_AGENT_GRPC_PORT;
  const agentPort = agent.ports?.grpc ?? DEFAULT_AGENT_GRPC_PORT;
  if (port !== agentPort) {
    conflicts.push({
      path: ['istioConfig', 'values', 'agent', 'port'],
      message: `Envoy would dial port ${port}, but sluice.values.agent.ports.grpc is ${agentPort}; make them equal`,
    });
  }
  if (istio.mode === 'extensionProvider' && agent.defaultControlPoint === undefined) {
    conflicts.push({
      path: ['istioConfig', 'values', 'mode'],
      message:
        'extensionProvider sends no control point, and sluice.values.agent.defaultControlPoint is not set, so the agent would refuse every Check (and Envoy fail open); set sluice.values.agent.defaultControlPoint (e.g. ingress)',
    });
  }
  return conflicts;
}
