import type { ComponentRole } from './component-roles.js';

/** One folder of GitOps output: a component, the wave it syncs in, and either objects or a chart release. */
export interface GitOpsComponent {
  /** Folder name and the suffix of Argo CD / Flux object names. */
  readonly name: string;
  /** What the component does; its wave follows from it. */
  readonly role: ComponentRole;
  /** Sync order, `ROLE_WAVES[role]`: namespaces 0, CRDs 1, agent and controller 2, the rest 3. */
  readonly wave: number;
  /** Namespace the component's objects live in (Argo CD destination, Flux targetNamespace). */
  readonly namespace: string;
  /** The synthesised Kubernetes objects. */
  readonly objects: readonly KubernetesObject[];
  /** In helm mode, the generated chart that renders `objects`, with the values that make it do so. */
  readonly chart?: {
    readonly name: string;
    readonly release: string;
    readonly values: Readonly<Record<string, unknown>>;
  };
  /** Whether this component installs CustomResourceDefinitions (they need server-side apply to upgrade). */
  readonly hasCrds: boolean;
}

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}
