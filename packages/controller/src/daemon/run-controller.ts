import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  ControllerConfigSchema,
  durationMs,
  loadConfig,
  resolveAgentAuth,
  SpecValidationError,
  type ControllerConfig,
} from '@sluice/spec';
import { systemClockUnref } from '@sluice/clock';
import { Controller } from '../controller.js';
import type { LeaderElector } from '../leader-election/leader-elector.js';
import { FilePolicySource } from '../sources/file-policy-source.js';
import type { KubernetesPolicySource } from '../sources/kubernetes-policy-source.js';
import { FileBaselineStore } from '../state/baseline-store-file.js';
import {
  agentAuthenticator,
  CredentialConfigError,
  ensureControllerSecrets,
} from './controller-credentials.js';
import { ControllerEnvSchema, type ControllerEnv } from './controller-env.js';
import { parseControllerFlags, USAGE } from './controller-flags.js';
import { listenerAddresses } from './listener-addresses.js';

/** Exit codes: 0 success, 1 failure, 2 bad input (flags, config, environment). */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

export interface RunningController {
  readonly controller: Controller;
  readonly config: ControllerConfig;
  readonly ports: { grpcPort: number; httpPort: number; apiPort: number };
  stop(): Promise<void>;
}

type Outcome = { readonly exitCode: number } | { readonly running: RunningController };

const LEVELS = ['debug', 'info', 'warn', 'error'];

/** Reads flags, environment and config file, starts the controller, and returns it running. */
export async function runController(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<Outcome> {
  const flags = parseControllerFlags(argv);
  if (flags.kind === 'help') {
    console.log(USAGE);
    return { exitCode: EXIT.ok };
  }
  if (flags.kind === 'error') {
    console.error(flags.message);
    return { exitCode: EXIT.badInput };
  }
  let config: ControllerConfig;
  try {
    config = loadConfig(ControllerConfigSchema, {
      ...(flags.configFile !== undefined ? { file: flags.configFile } : {}),
      env,
      envPrefix: 'SLUICE_CONTROLLER_',
      flags: flags.flags,
    });
  } catch (error) {
    console.error(
      error instanceof SpecValidationError ? error.message : `configuration: ${(error as Error).message}`,
    );
    return { exitCode: EXIT.badInput };
  }
  const parsedEnv = ControllerEnvSchema.safeParse({
    SLUICE_CONTROLLER_API_TOKEN: env.SLUICE_CONTROLLER_API_TOKEN,
    POD_NAME: env.POD_NAME || undefined,
    POD_NAMESPACE: env.POD_NAMESPACE || undefined,
  });
  if (!parsedEnv.success) {
    // The token itself is never printed.
    const issues = parsedEnv.error.issues.map(
      (issue) => `  - environment ${issue.path.join('.')}: ${issue.message}`,
    );
    console.error(`environment is invalid:\n${issues.join('\n')}`);
    return { exitCode: EXIT.badInput };
  }
  if (config.policies === undefined && !config.kubernetes) {
    console.error(`no policy source: pass --policies DIR or --kubernetes\n\n${USAGE}`);
    return { exitCode: EXIT.badInput };
  }
  const agentAuth = resolveAgentAuth(config);
  const envToken = parsedEnv.data.SLUICE_CONTROLLER_API_TOKEN;
  // Decided before any I/O: whether a token will protect the API is known from the configuration.
  const addresses = listenerAddresses({
    bindAddress: config.bindAddress,
    apiBindAddress: config.apiBindAddress,
    apiTokenConfigured: envToken !== undefined || config.apiTokenSecret !== undefined,
    agentAuth,
  });
  if (!addresses.ok) {
    console.error(addresses.message);
    return { exitCode: EXIT.badInput };
  }
  const threshold = LEVELS.indexOf(config.logLevel);
  const log = (message: string) => {
    if (threshold <= LEVELS.indexOf('info')) console.log(message);
  };
  const warn = (message: string) => {
    if (threshold <= LEVELS.indexOf('warn')) console.warn(message);
  };

  // Loaded only when the controller talks to Kubernetes: the client library roughly doubles start-up time.
  let kubeConfig: KubeConfig | undefined;
  const needsKubernetes =
    config.kubernetes ||
    config.leaderElection ||
    agentAuth === 'kubernetes' ||
    config.apiTokenSecret !== undefined ||
    config.recordKeySecret !== undefined;
  if (needsKubernetes) {
    const { loadDefaultKubeConfig } = await import('../kubernetes/default-kube-config.js');
    kubeConfig = loadDefaultKubeConfig();
  }
  // With leader election the controller starts as a follower; the elector makes it lead.
  let elector: LeaderElector | undefined;
  // Called only once the source writes, after `controller` exists.
  const leading = () => controller.role === 'leader';
  let kubernetes: KubernetesPolicySource | undefined;
  if (config.kubernetes && kubeConfig !== undefined) {
    const { KubernetesPolicySource: Source } = await import('../sources/kubernetes-policy-source.js');
    kubernetes = new Source({ kubeConfig, namespace: config.namespace, log, warn, mayWrite: leading });
  }
  const baselines =
    config.stateDir !== undefined
      ? new FileBaselineStore({ dir: config.stateDir, warn })
      : kubernetes?.baselineStore();
  let apiToken: string | undefined;
  let agentAuthentication;
  try {
    apiToken = await ensureControllerSecrets({
      config,
      kubeConfig,
      namespace: parsedEnv.data.POD_NAMESPACE ?? config.namespace,
      envToken,
      log,
    });
    agentAuthentication = await agentAuthenticator({ config, kubeConfig, clock: systemClockUnref });
  } catch (error) {
    console.error(`sluice-controller: ${(error as Error).message}`);
    return { exitCode: error instanceof CredentialConfigError ? EXIT.badInput : EXIT.failure };
  }
  const controller = new Controller({
    clock: systemClockUnref,
    log,
    role: config.leaderElection ? 'follower' : 'leader',
    leader: () => elector?.leader(),
    ...(baselines !== undefined ? { baselines } : {}),
    ...(apiToken !== undefined ? { apiToken } : {}),
    apiAllowedHosts: config.apiAllowedHosts,
    agentAuth: agentAuthentication,
    directory: { controlPointExpiryMs: durationMs(config.controlPointExpiry) },
    // A sweep at least four times per expiry, and never more often than every 100 ms.
    directorySweepMs: Math.max(100, Math.min(5000, durationMs(config.controlPointExpiry) / 4)),
  });
  let files: FilePolicySource | undefined;
  try {
    if (config.policies !== undefined) {
      files = new FilePolicySource({ dir: config.policies, registry: controller.registry, log });
      files.start();
    }
    const ports = await controller.start({
      grpcPort: config.grpcPort,
      httpPort: config.httpPort,
      apiPort: config.apiPort,
      ...addresses.value,
    });
    if (kubernetes !== undefined) await kubernetes.start(controller.registry);
    controller.markReady();
    const { grpcHost, httpHost, apiHost } = addresses.value;
    log(
      `sluice-controller: AgentSync on ${grpcHost}:${ports.grpcPort} (agent auth ${agentAuth}), probes and /metrics on ${httpHost}:${ports.httpPort}, API on ${apiHost}:${ports.apiPort} (${apiToken !== undefined ? 'token required' : 'no token'})`,
    );
    // Campaigning starts after the first list, so a new leader builds its loops on the baselines
    // already in FlowPolicy status.
    if (config.leaderElection && kubeConfig !== undefined)
      elector = await startElector({
        config,
        env: parsedEnv.data,
        kubeConfig,
        controller,
        kubernetes,
        log,
        warn,
      });
    const stop = async () => {
      files?.stop();
      // The controller saves every baseline on stop and the Kubernetes source writes those its write
      // interval held back, while this replica still leads; only then is the Lease released.
      await controller.stop();
      await kubernetes?.stop();
      await elector?.stop();
    };
    return { running: { controller, config, ports, stop } };
  } catch (error) {
    console.error(`sluice-controller: ${(error as Error).message}`);
    files?.stop();
    await kubernetes?.stop();
    await controller.stop().catch(() => undefined);
    await elector?.stop();
    return { exitCode: EXIT.failure };
  }
}

/** Campaigns for the Lease; leading and following switch the controller's role. */
async function startElector(options: {
  config: ControllerConfig;
  env: ControllerEnv;
  kubeConfig: KubeConfig;
  controller: Controller;
  kubernetes: KubernetesPolicySource | undefined;
  log: (message: string) => void;
  warn: (message: string) => void;
}): Promise<LeaderElector> {
  const { config, env, controller, kubernetes, log, warn } = options;
  const [{ LeaderElector: Elector }, { LeaseElection }, { KubernetesLeaseClient }] = await Promise.all([
    import('../leader-election/leader-elector.js'),
    import('../leader-election/lease-election.js'),
    import('../leader-election/lease-client-kubernetes.js'),
  ]);
  // The pod name is unique among live pods; hostname alone is not among processes on one machine.
  const identity = env.POD_NAME ?? `${hostname()}_${process.pid}`;
  const namespace = env.POD_NAMESPACE ?? config.namespace;
  const retryPeriodMs = durationMs(config.retryPeriod);
  const election = new LeaseElection({
    identity,
    leaseDurationMs: durationMs(config.leaseDuration),
    renewDeadlineMs: durationMs(config.renewDeadline),
    retryPeriodMs,
    trace: log,
  });
  const client = new KubernetesLeaseClient({
    kubeConfig: options.kubeConfig,
    namespace,
    name: config.leaseName,
    // An answer later than a retry period is as good as none: the next attempt is due.
    requestTimeoutMs: retryPeriodMs,
  });
  const elector = new Elector({
    election,
    client,
    clock: systemClockUnref,
    onStartedLeading: () => {
      controller.lead();
      void kubernetes
        ?.resyncStatus()
        .catch((error: unknown) => warn(`FlowPolicy status not resynchronised: ${(error as Error).message}`));
    },
    onStoppedLeading: async () => controller.follow(),
    warn,
  });
  log(
    `sluice-controller: leader election for Lease ${client.description} as ${identity} (lease ${config.leaseDuration}, renew deadline ${config.renewDeadline}, retry ${config.retryPeriod})`,
  );
  elector.start();
  return elector;
}
