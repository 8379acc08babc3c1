import type { KubernetesObject } from './gitops-component.js';

/**
 * What a component does for the installation, which decides when it syncs: the namespaces every other
 * component lands in, then the CRDs, then the agent and controller (the platform), then what configures
 * them (istioconfig, tenant gateways, FlowPolicies). Ordering follows the role, never the folder or Chart
 * id, so renaming a Chart cannot move the CRDs behind the objects that need them.
 */
export type ComponentRole = 'namespaces' | 'crds' | 'platform' | 'configuration';

/** Argo CD sync wave of each role; Flux `dependsOn` points at the components of the previous wave. */
export const ROLE_WAVES: Readonly<Record<ComponentRole, number>> = {
  namespaces: 0,
  crds: 1,
  platform: 2,
  configuration: 3,
};

const WORKLOAD_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);

/**
 * The role of a component known only by its objects (a Chart of a `build(app)` config): CRDs make it
 * `crds`, a workload makes it `platform`, anything else configures them. A Chart holding only Namespaces
 * is `namespaces`.
 */
export function roleOfObjects(objects: readonly KubernetesObject[]): ComponentRole {
  if (objects.some((object) => object.kind === 'CustomResourceDefinition')) return 'crds';
  if (objects.some((object) => WORKLOAD_KINDS.has(object.kind))) return 'platform';
  if (objects.length > 0 && objects.every((object) => object.kind === 'Namespace')) return 'namespaces';
  return 'configuration';
}
