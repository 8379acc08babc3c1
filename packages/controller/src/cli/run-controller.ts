import { ControllerConfigSchema, loadConfig, SpecValidationError, type ControllerConfig } from '@sluice/spec';
import { systemClock } from '../clock/clock.js';
import { Controller } from '../controller.js';
import { FilePolicySource } from '../sources/file-policy-source.js';
import type { KubernetesPolicySource } from '../sources/kubernetes-policy-source.js';
import { FileBaselineStore } from '../state/baseline-store-file.js';
import { ControllerEnvSchema } from './controller-env.js';
import { parseControllerFlags, USAGE } from './controller-flags.js';

/** Exit codes: 0 success, 1 failure, 2 bad input (flags, config, environment). */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

export interface RunningController {
  readonly controller: Controller;
  readonly config: ControllerConfig;
  readonly ports: { grpcPort: number; httpPort: number };
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
  const threshold = LEVELS.indexOf(config.logLevel);
  const log = (message: string) => {
    if (threshold <= LEVELS.indexOf('info')) console.log(message);
  };
  const warn = (message: string) => {
    if (threshold <= LEVELS.indexOf('warn')) console.warn(message);
  };

  let kubernetes: KubernetesPolicySource | undefined;
  if (config.kubernetes) {
    // Loaded only in Kubernetes mode: the client library roughly doubles start-up time otherwise.
    const { KubernetesPolicySource: Source } = await import('../sources/kubernetes-policy-source.js');
    kubernetes = Source.fromDefaultKubeConfig({ namespace: config.namespace, log, warn });
  }
  const baselines =
    config.stateDir !== undefined
      ? new FileBaselineStore({ dir: config.stateDir, warn })
      : kubernetes?.baselineStore();
  const apiToken = parsedEnv.data.SLUICE_CONTROLLER_API_TOKEN;
  const controller = new Controller({
    clock: systemClock,
    log,
    ...(baselines !== undefined ? { baselines } : {}),
    ...(apiToken !== undefined ? { apiToken } : {}),
  });
  let files: FilePolicySource | undefined;
  try {
    if (config.policies !== undefined) {
      files = new FilePolicySource({ dir: config.policies, registry: controller.registry, log });
      files.start();
    }
    const ports = await controller.start({ grpcPort: config.grpcPort, httpPort: config.httpPort });
    if (kubernetes !== undefined) await kubernetes.start(controller.registry);
    controller.setReady(true);
    log(`sluice-controller: AgentSync on :${ports.grpcPort}, HTTP API on :${ports.httpPort}`);
    const stop = async () => {
      files?.stop();
      // The controller saves every baseline on stop; the Kubernetes source then writes those its
      // write interval held back, so it stops last.
      await controller.stop();
      await kubernetes?.stop();
    };
    return { running: { controller, config, ports, stop } };
  } catch (error) {
    console.error(`sluice-controller: ${(error as Error).message}`);
    files?.stop();
    await kubernetes?.stop();
    await controller.stop().catch(() => undefined);
    return { exitCode: EXIT.failure };
  }
}
