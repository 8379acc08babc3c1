import { KubeConfig } from '@kubernetes/client-node';

/**
 * The in-cluster service account, or KUBECONFIG / ~/.kube/config outside a cluster. Its own module
 * so that run-controller imports the client library only when it talks to Kubernetes (it roughly
 * doubles start-up time otherwise).
 */
export function loadDefaultKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  return kubeConfig;
}
