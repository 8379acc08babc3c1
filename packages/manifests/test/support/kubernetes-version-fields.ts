import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Fields of workload and Service objects that Kubernetes 1.28 does not have, or has only behind an alpha
 * feature gate that is off by default: the API server of 1.28 drops or refuses them. No kubernetes-models
 * release for 1.28 is installed (4.5.1 has the 1.30 core API, 5.1.0 the 1.34 one), so 1.28 is checked
 * against this table of facts, each from the Kubernetes enhancement that added the field.
 */
export const FIELDS_NEWER_THAN_1_28: readonly {
  readonly path: RegExp;
  readonly field: string;
  readonly since: string;
}[] = [
  {
    path: /(^|\.)lifecycle\.(preStop|postStart)\.sleep$/,
    field: 'lifecycle.*.sleep',
    since: 'alpha 1.29, beta (on by default) 1.30: KEP-3960 PodLifecycleSleepAction',
  },
  {
    path: /(^|\.)initContainers\.restartPolicy$/,
    field: 'initContainers[].restartPolicy (sidecar containers)',
    since: 'alpha (off by default) 1.28, beta 1.29: KEP-753 SidecarContainers',
  },
  {
    path: /(^|\.)(podAffinity|podAntiAffinity)\..*\.(matchLabelKeys|mismatchLabelKeys)$/,
    field: 'pod (anti-)affinity matchLabelKeys / mismatchLabelKeys',
    since: 'alpha 1.29, beta 1.31: KEP-3633 MatchLabelKeysInPodAffinity',
  },
  {
    path: /(^|\.)securityContext\.appArmorProfile$/,
    field: 'securityContext.appArmorProfile',
    since: '1.30 (annotations before): KEP-24 AppArmor',
  },
  {
    path: /^spec\.trafficDistribution$/,
    field: 'Service spec.trafficDistribution',
    since: 'alpha 1.30, beta 1.31: KEP-4444 ServiceTrafficDistribution',
  },
  {
    path: /(^|\.)volumes\.image$/,
    field: 'volumes[].image',
    since: 'alpha 1.31: KEP-4639 ImageVolume',
  },
  {
    path: /^spec\.template\.spec\.resources$/,
    field: 'pod-level resources',
    since: 'alpha 1.32: KEP-2837 PodLevelResources',
  },
  {
    path: /(^|\.)lifecycle\.stopSignal$/,
    field: 'lifecycle.stopSignal',
    since: 'alpha 1.33: KEP-4960 ContainerStopSignals',
  },
];

/** Every key path of an object, list indices left out: `spec.template.spec.containers.lifecycle.preStop.sleep`. */
export function keyPaths(node: unknown, prefix = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((item) => keyPaths(item, prefix));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return [path, ...keyPaths(child, path)];
  });
}

/** The fields of `object` that 1.28 lacks, as `path: field (since)`. */
export function fieldsNewerThan128(object: unknown): string[] {
  return keyPaths(object).flatMap((path) =>
    FIELDS_NEWER_THAN_1_28.filter((fact) => fact.path.test(path)).map(
      (fact) => `${path}: ${fact.field} (${fact.since})`,
    ),
  );
}

/**
 * The newest kubernetes-models installed: the copy the @kubernetes-models/* packages depend on (5.x, the
 * 1.34 API), beside the 4.5.1 the closed check uses. It is ESM with an exports map that lists no model
 * paths, so its files are imported by path.
 */
export function newestKubernetesModels(): { readonly version: string; readonly directory: string } {
  const fromHere = createRequire(import.meta.url);
  const fromGatewayApi = createRequire(fromHere.resolve('@kubernetes-models/gateway-api/package.json'));
  const manifest = fromGatewayApi.resolve('kubernetes-models/package.json');
  return {
    version: (fromGatewayApi(manifest) as { version: string }).version,
    directory: dirname(manifest),
  };
}

/** Runs the newest models' runtime validator on an object; returns its message, or undefined when valid. */
export async function newestModelProblem(module: string, object: unknown): Promise<string | undefined> {
  const { directory } = newestKubernetesModels();
  const className = module.split('/').at(-1) as string;
  const loaded = (await import(pathToFileURL(join(directory, `${module}.js`)).href)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = loaded[className];
  if (Model === undefined) throw new Error(`kubernetes-models/${module} has no ${className}`);
  try {
    new Model(object).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
