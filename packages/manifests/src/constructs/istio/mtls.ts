import { and, eq, type Expr, not } from '../../template/expr.js';
import {
  AGENT_NAMESPACE_MTLS_REFUSAL,
  duplicateNamespaceRefusal,
  EMPTY_MTLS_NAMESPACES_REFUSAL,
  type IstioConfigValues,
} from '@sluice/spec';
import type { TreeObject } from '../../template/template-tree.js';
import type { View } from '../../template/values-view.js';
import { has, hasDuplicates, refuseWhen } from '../../template/chart-guards.js';

/**
 * STRICT mTLS with PeerAuthentication (security.istio.io/v1), following DESIGN's mesh security stance:
 * mesh-wide in the root namespace (no selector: a selector there is ignored), or one `default` policy per
 * listed namespace. The agent's namespace stays outside the mesh and no DestinationRule is generated:
 * Envoy's google_grpc client dials the agent itself, iptables does not capture it, and a DestinationRule
 * with ISTIO_MUTUAL on the agent's host would silently break ext_authz (it fails open).
 *
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */

/** Istio's convention: the namespace-wide (or mesh-wide) policy is named `default`. */
export const PEER_AUTHENTICATION_NAME = 'default';

/**
 * Removing STRICT mTLS silently downgrades a mesh, so every deleter leaves the policy in place: Helm skips
 * objects annotated `helm.sh/resource-policy: keep` on uninstall and upgrade, Argo CD never deletes what
 * `Delete=false` marks, and Flux's kustomize-controller never prunes `prune: disabled`.
 */
export const KEEP_ON_REMOVAL_ANNOTATIONS = {
  'helm.sh/resource-policy': 'keep',
  'argocd.argoproj.io/sync-options': 'Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
} as const;

export function peerAuthentication(namespace: Expr<string>, labels: TreeObject): TreeObject {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: {
      name: PEER_AUTHENTICATION_NAME,
      namespace,
      labels,
      annotations: { ...KEEP_ON_REMOVAL_ANNOTATIONS },
    },
    spec: { mtls: { mode: 'STRICT' } },
  };
}

export function mtlsGuards(values: View<IstioConfigValues>): TreeObject {
  const mtls = values.mtls;
  const perNamespace = eq(mtls.mode.$, 'namespaces');
  return {
    refuseEmptyMtlsNamespaces: refuseWhen(
      and(perNamespace, not(mtls.namespaces.$)),
      EMPTY_MTLS_NAMESPACES_REFUSAL,
    ),
    refuseDuplicateMtlsNamespaces: refuseWhen(
      hasDuplicates(mtls.namespaces.$),
      duplicateNamespaceRefusal('mtls.namespaces'),
    ),
    refuseDuplicateExactBalanceNamespaces: refuseWhen(
      hasDuplicates(values.exactBalance.namespaces.$),
      duplicateNamespaceRefusal('exactBalance.namespaces'),
    ),
    refuseAgentNamespaceMtls: refuseWhen(
      and(perNamespace, has(values.agent.namespace.$, mtls.namespaces.$)),
      AGENT_NAMESPACE_MTLS_REFUSAL,
    ),
  };
}
