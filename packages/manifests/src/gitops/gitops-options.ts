/** How `sluicectl synth` lays out GitOps output. */
export interface GitOpsOptions {
  /** plain: YAML objects per component; helm: references to the generated charts with values. */
  readonly mode: 'plain' | 'helm';
  /** Path of the output directory inside the Git repository, as Argo CD and Flux see it (no leading ./). */
  readonly repoPath: string;
  /** Adds Argo CD Applications (app of apps under `argocd/`) for this repository URL. */
  readonly argocd?: string;
  /** Adds a Flux GitRepository and Kustomizations (under `flux/`) for this repository URL. */
  readonly flux?: string;
  /** Git revision Argo CD and Flux follow. @default 'main' */
  readonly revision?: string;
  /** Namespace Argo CD runs in; every Application is created there. @default 'argocd' */
  readonly argocdNamespace?: string;
  /** Argo CD AppProject of every Application; it must allow the repository and destinations. @default 'default' */
  readonly argocdProject?: string;
}

/** Where Argo CD's own install puts it, and so its Applications. */
export const ARGOCD_NAMESPACE = 'argocd';
/** The AppProject every Argo CD install has. */
export const ARGOCD_PROJECT = 'default';
export const FLUX_NAMESPACE = 'flux-system';
/** Name of the Flux GitRepository the output's Kustomizations read from. */
export const FLUX_SOURCE_NAME = 'sluice';

/** Argo CD / Flux object name for a component: `sluice` stays `sluice`, others get the prefix. */
export function syncObjectName(component: string): string {
  return component.startsWith('sluice') ? component : `sluice-${component}`;
}

/** The components of the wave just before `wave` (what a component waits for). */
export function previousWave<T extends { readonly wave: number }>(
  components: readonly T[],
  wave: number,
): T[] {
  const earlier = components.filter((candidate) => candidate.wave < wave).map((candidate) => candidate.wave);
  if (earlier.length === 0) return [];
  const latest = Math.max(...earlier);
  return components.filter((candidate) => candidate.wave === latest);
}
