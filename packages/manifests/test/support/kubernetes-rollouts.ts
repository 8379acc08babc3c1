/**
 * Two Kubernetes behaviours reproduced because no API server or controller-manager runs here; facts restated
 * from kubernetes/kubernetes and its docs:
 *
 * - ResourceQuota admission with `limitedResources` (docs: "Limit Priority Class consumption by default"; GKE
 *   ships it for system-node-critical and system-cluster-critical): a pod of a limited class is admitted only
 *   when a ResourceQuota in its namespace has a scopeSelector that matches the class, else "insufficient quota
 *   to match these scopes".
 * - DaemonSet rolling update with surge (`pkg/controller/daemon/update.go`): maxSurge as a percentage is scaled
 *   by the number of nodes and rounded up; that many nodes get their new pod at once, and the next wave starts
 *   when those are ready.
 */

export interface ScopedQuota {
  readonly namespace: string;
  readonly matchExpressions: readonly { scopeName: string; operator: string; values?: readonly string[] }[];
}

export function admitsPod(
  pod: { namespace: string; priorityClassName?: string },
  quotas: readonly ScopedQuota[],
  limitedClasses: readonly string[],
): boolean {
  const priorityClass = pod.priorityClassName ?? '';
  if (!limitedClasses.includes(priorityClass)) return true;
  return quotas.some(
    (quota) =>
      quota.namespace === pod.namespace &&
      quota.matchExpressions.some(
        (expression) =>
          expression.scopeName === 'PriorityClass' &&
          (expression.operator === 'Exists' ||
            (expression.operator === 'In' && (expression.values ?? []).includes(priorityClass))),
      ),
  );
}

/** Waves of a DaemonSet rollout over `nodes` nodes with `maxSurge` (an integer or `N%`). */
export function daemonSetRolloutWaves(nodes: number, maxSurge: number | string): number {
  const surge =
    typeof maxSurge === 'number' ? maxSurge : Math.ceil((nodes * Number.parseInt(maxSurge, 10)) / 100);
  if (surge < 1) throw new Error(`maxSurge ${maxSurge} lets no node roll`);
  return Math.ceil(nodes / surge);
}
