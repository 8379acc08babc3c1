import type { TreeObject } from '../../template/template-tree.js';

/**
 * The Kubernetes "restricted" Pod Security Standard, spelt out field by field so that no default of the
 * runtime or of cdk8s-plus decides it. UID/GID 65532 is the distroless `nonroot` user.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
const NON_ROOT_ID = 65532;

export function restrictedPodSecurityContext(): TreeObject {
  return {
    runAsNonRoot: true,
    runAsUser: NON_ROOT_ID,
    runAsGroup: NON_ROOT_ID,
    fsGroup: NON_ROOT_ID,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainerSecurityContext(): TreeObject {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: NON_ROOT_ID,
    runAsGroup: NON_ROOT_ID,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
