import { ROLE_WAVES } from './component-roles.js';
import type { GitOpsComponent, KubernetesObject } from './gitops-component.js';

/** Folder and component name of the generated Namespaces. */
export const NAMESPACES_COMPONENT = 'namespaces';

// Every cluster has these; claiming them would only add a GitOps owner to kube-system.
const BUILT_IN_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * A Namespace that survives its GitOps owner. Flux's kustomize-controller applies Namespaces before the
 * objects in them but never creates one that no manifest declares ("namespace not specified: namespaces
 * ... not found" on a fresh cluster), and Argo CD's `CreateNamespace=true` creates only the destination
 * namespace. The namespaces may hold other things (istio-system does), so neither tool may ever delete
 * them: `kustomize.toolkit.fluxcd.io/prune: disabled` (fluxcd.io Kustomization docs, "Prune") and Argo CD's
 * `Prune=false,Delete=false` sync options (argo-cd docs/user-guide/sync-options.md; comma-separated in
 * one annotation).
 */
function namespaceObject(name: string): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      annotations: {
        'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
        'kustomize.toolkit.fluxcd.io/prune': 'disabled',
      },
    },
  };
}

/** Every namespace the components' objects live in, or the component is installed to, sorted. */
export function namespacesNeeded(components: readonly GitOpsComponent[]): string[] {
  const needed = new Set<string>();
  const declared = new Set<string>();
  for (const component of components) {
    needed.add(component.namespace);
    for (const object of component.objects) {
      if (object.kind === 'Namespace' && object.apiVersion === 'v1') declared.add(object.metadata.name);
      else if (object.metadata.namespace !== undefined) needed.add(object.metadata.namespace);
    }
  }
  return [...needed].filter((name) => !declared.has(name) && !BUILT_IN_NAMESPACES.has(name)).sort();
}

/**
 * The `namespaces` component: a Namespace for each namespace the other components need and do not declare
 * themselves, synced before everything else. Absent when there is none to create.
 */
export function namespacesComponent(components: readonly GitOpsComponent[]): GitOpsComponent | undefined {
  const names = namespacesNeeded(components);
  const first = names[0];
  if (first === undefined) return undefined;
  return {
    name: NAMESPACES_COMPONENT,
    role: 'namespaces',
    wave: ROLE_WAVES.namespaces,
    namespace: components[0]?.namespace ?? first,
    objects: names.map(namespaceObject),
    hasCrds: false,
  };
}
