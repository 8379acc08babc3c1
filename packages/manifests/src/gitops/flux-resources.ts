import type { GitOpsComponent, KubernetesObject } from './gitops-component.js';
import {
  FLUX_NAMESPACE,
  FLUX_SOURCE_NAME,
  previousWave,
  syncObjectName,
  type GitOpsOptions,
} from './gitops-options.js';

type FluxOptions = GitOpsOptions & { readonly flux: string };

export function fluxGitRepository(options: FluxOptions): KubernetesObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: FLUX_SOURCE_NAME, namespace: FLUX_NAMESPACE },
    spec: { interval: '1m0s', url: options.flux, ref: { branch: options.revision ?? 'main' } },
  };
}

/**
 * A Flux Kustomization for a component folder, waiting for the previous wave (`dependsOn`) and for its own
 * objects to be ready (`wait`), so CRDs land before the controller and policies after it.
 */
export function fluxKustomization(
  component: GitOpsComponent,
  path: string,
  all: readonly GitOpsComponent[],
): KubernetesObject {
  const dependsOn = previousWave(all, component.wave).map((earlier) => ({
    name: syncObjectName(earlier.name),
  }));
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: syncObjectName(component.name), namespace: FLUX_NAMESPACE },
    spec: {
      interval: '10m0s',
      retryInterval: '1m0s',
      timeout: '5m0s',
      path: `./${path}`,
      prune: true,
      wait: true,
      sourceRef: { kind: 'GitRepository', name: FLUX_SOURCE_NAME },
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
    },
  };
}

/** A HelmRelease of a generated chart read from the Git repository; CRDs are created and replaced on upgrade. */
export function fluxHelmRelease(component: GitOpsComponent, options: FluxOptions): KubernetesObject {
  const chart = component.chart;
  if (chart === undefined) throw new Error(`component ${component.name} has no chart to release`);
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: syncObjectName(component.name), namespace: FLUX_NAMESPACE },
    spec: {
      interval: '10m0s',
      releaseName: chart.release,
      targetNamespace: component.namespace,
      chart: {
        spec: {
          chart: `./${options.repoPath}/charts/${chart.name}`,
          reconcileStrategy: 'Revision',
          sourceRef: { kind: 'GitRepository', name: FLUX_SOURCE_NAME, namespace: FLUX_NAMESPACE },
        },
      },
      install: { crds: 'CreateReplace', createNamespace: true },
      upgrade: { crds: 'CreateReplace' },
      values: chart.values,
    },
  };
}
