import type { GitOpsComponent, KubernetesObject } from './gitops-component.js';
import { ARGOCD_NAMESPACE, ARGOCD_PROJECT, syncObjectName, type GitOpsOptions } from './gitops-options.js';

type ArgoCdOptions = GitOpsOptions & { readonly argocd: string };

/** Name of the parent Application (app of apps) that syncs the children under `argocd/apps/`. */
export const APP_OF_APPS_NAME = 'sluice-app-of-apps';

const IN_CLUSTER = 'https://kubernetes.default.svc';

/**
 * Retry of a failed sync with backoff (Argo CD `syncPolicy.retry`: limit, backoff.duration, factor,
 * maxDuration). Without it a sync that fails once, such as a FlowPolicy applied while its CRD is not served
 * yet, stays failed until the next Git change.
 */
const RETRY = { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } } as const;

const AUTOMATED = { prune: true, selfHeal: true } as const;

function argoCdNamespace(options: GitOpsOptions): string {
  return options.argocdNamespace ?? ARGOCD_NAMESPACE;
}

/**
 * One child Application per component, ordered by its `argocd.argoproj.io/sync-wave` (the component's role:
 * namespaces, CRDs, agent and controller, then istioconfig, tenant gateways and policies). Waves order the
 * children only because the parent Application syncs them, and only once Argo CD assesses Application
 * health (see `argoCdApplicationHealthPatch`).
 */
export function argoCdApplication(component: GitOpsComponent, options: ArgoCdOptions): KubernetesObject {
  const syncOptions = ['CreateNamespace=true'];
  // CRDs outgrow the last-applied annotation of client-side apply; server-side apply upgrades them.
  if (component.hasCrds) syncOptions.push('ServerSideApply=true');
  // A custom resource whose CRD is not served yet fails the dry run of the whole sync; skipping it lets the
  // retry apply it once the CRD is there. On every child: a build(app) Chart may hold any kind.
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
      namespace: argoCdNamespace(options),
      annotations: { 'argocd.argoproj.io/sync-wave': String(component.wave) },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: options.argocdProject ?? ARGOCD_PROJECT,
      source,
      destination: { server: IN_CLUSTER, namespace: component.namespace },
      syncPolicy: { automated: AUTOMATED, syncOptions, retry: RETRY },
    },
  };
}

/**
 * The parent Application: it syncs the folder of child Applications, so Argo CD creates the children wave
 * by wave and waits for each wave to be healthy before the next. `kubectl apply` of the children directly
 * would create them all at once and order nothing.
 */
export function argoCdAppOfApps(options: ArgoCdOptions): KubernetesObject {
  const namespace = argoCdNamespace(options);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: APP_OF_APPS_NAME,
      namespace,
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: options.argocdProject ?? ARGOCD_PROJECT,
      source: {
        repoURL: options.argocd,
        targetRevision: options.revision ?? 'main',
        path: `${options.repoPath}/argocd/apps`,
      },
      destination: { server: IN_CLUSTER, namespace },
      syncPolicy: { automated: AUTOMATED, retry: RETRY },
    },
  };
}

/**
 * Lua health check for `argoproj.io/Application`, as an `argocd-cm` entry. Argo CD 1.8 removed the built-in
 * health assessment of Applications (argo-cd#3781; docs operator-manual/health.md, "Argocd App"): without
 * this entry every child is Healthy as soon as it exists, and the parent's waves wait for nothing. The
 * child's health is the one Argo CD already computed for it (`status.health.status`); until it has one,
 * it is Progressing.
 */
export const APPLICATION_HEALTH_LUA = [
  'local health = { status = "Progressing", message = "" }',
  'if obj.status ~= nil and obj.status.health ~= nil then',
  '  if obj.status.health.status ~= nil then',
  '    health.status = obj.status.health.status',
  '  end',
  '  if obj.status.health.message ~= nil then',
  '    health.message = obj.status.health.message',
  '  end',
  'end',
  'return health',
  '',
].join('\n');

/** The `argocd-cm` key Argo CD reads a resource's health script from (`resource.customizations.health.<group>_<kind>`). */
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/**
 * A merge patch of `argocd-cm` adding the Application health check, written next to the parent Application
 * and applied with `kubectl patch configmap argocd-cm --type merge --patch-file`. It is a patch, not a
 * ConfigMap, so it never replaces the rest of an existing `argocd-cm`.
 */
export function argoCdApplicationHealthPatch(): Record<string, unknown> {
  return { data: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA } };
}
