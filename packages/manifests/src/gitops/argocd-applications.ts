import type { GitOpsComponent, KubernetesObject } from './gitops-component.js';
import { ARGOCD_NAMESPACE, syncObjectName, type GitOpsOptions } from './gitops-options.js';

/**
 * One Argo CD Application per component, ordered by sync-wave annotations (CRDs, then controller and
 * agent, then istioconfig, tenant gateways and policies). The root `argocd/` folder is an app of apps.
 */
export function argoCdApplication(
  component: GitOpsComponent,
  options: GitOpsOptions & { readonly argocd: string },
): KubernetesObject {
  const syncOptions = ['CreateNamespace=true'];
  // CRDs outgrow the last-applied annotation of client-side apply; server-side apply upgrades them.
  if (component.hasCrds) syncOptions.push('ServerSideApply=true');
  // FlowPolicies reference a CRD that may not be served yet at dry-run time on the first sync.
  if (component.objects.some((object) => object.kind === 'FlowPolicy'))
    syncOptions.push('SkipDryRunOnMissingResource=true');
  const helm = options.mode === 'helm' ? component.chart : undefined;
  const source = helm
    ? {
        repoURL: options.argocd,
        targetRevision: options.revision ?? 'main',
        path: `${options.repoPath}/charts/${helm.name}`,
        helm: { releaseName: helm.release, valuesObject: helm.values },
      }
    : {
        repoURL: options.argocd,
        targetRevision: options.revision ?? 'main',
        path: `${options.repoPath}/${component.name}`,
      };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: syncObjectName(component.name),
      namespace: ARGOCD_NAMESPACE,
      annotations: { 'argocd.argoproj.io/sync-wave': String(component.wave) },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: 'default',
      source,
      destination: { server: 'https://kubernetes.default.svc', namespace: component.namespace },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions },
    },
  };
}
