import { FLOW_POLICY_CRD } from '@sluice/spec';
import { type TreeObject, when } from '../../template/template-tree.js';
import {
  API_TOKEN_SECRET_COMPONENT,
  type ControllerParts,
  RECORD_KEY_SECRET_COMPONENT,
} from './controller-binding.js';

/** The API group of Lease objects, which leader election holds. */
const COORDINATION_GROUP = 'coordination.k8s.io';
const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';

/** The controller's identity; it watches FlowPolicy resources, so it needs its token. */
export function controllerServiceAccount({ metadata }: ControllerParts): TreeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: true };
}

/**
 * FlowPolicy reads and status writes, the runtime Secrets it creates, and (with leader election) its own
 * Lease. RBAC cannot limit create to a name (the object does not exist yet at authorisation), so create is
 * granted on its own and get/update only on the named objects.
 */
export function controllerRole(parts: ControllerParts): TreeObject {
  const { binding, name, metadata, leaderElection, createsApiToken, createsSecret } = parts;
  const { names } = binding;
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'Role',
    metadata,
    rules: [
      {
        apiGroups: [FLOW_POLICY_CRD.group],
        resources: [FLOW_POLICY_CRD.plural],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: [FLOW_POLICY_CRD.group],
        resources: [`${FLOW_POLICY_CRD.plural}/status`],
        verbs: ['get', 'update', 'patch'],
      },
      // The runtime Secrets: created when absent, then read; get is limited to the two names.
      when(createsSecret, { apiGroups: [''], resources: ['secrets'], verbs: ['create'] }),
      when(createsSecret, {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: [
          when(createsApiToken, names.component(API_TOKEN_SECRET_COMPONENT)),
          when(binding.createsRecordKey, names.component(RECORD_KEY_SECRET_COMPONENT)),
        ],
        verbs: ['get'],
      }),
      when(leaderElection, { apiGroups: [COORDINATION_GROUP], resources: ['leases'], verbs: ['create'] }),
      when(leaderElection, {
        apiGroups: [COORDINATION_GROUP],
        resources: ['leases'],
        resourceNames: [name],
        verbs: ['get', 'update'],
      }),
    ],
  };
}

export function controllerRoleBinding({ binding, name, metadata }: ControllerParts): TreeObject {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'RoleBinding',
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: binding.namespace }],
  };
}

/** TokenReview is cluster-scoped, so its one permission needs a ClusterRole. */
export function controllerClusterRole({ clusterName, labels }: ControllerParts): TreeObject {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRole',
    metadata: { name: clusterName, labels },
    rules: [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }],
  };
}

export function controllerClusterRoleBinding(parts: ControllerParts): TreeObject {
  const { binding, name, clusterName, labels } = parts;
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRoleBinding',
    metadata: { name: clusterName, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
    subjects: [{ kind: 'ServiceAccount', name, namespace: binding.namespace }],
  };
}
