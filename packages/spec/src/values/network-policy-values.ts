import { z } from 'zod';

/**
 * The optional NetworkPolicies of the `sluice` chart. Sources are namespace names, matched through the
 * `kubernetes.io/metadata.name` label that the API server sets on every namespace and that nobody can
 * change, so a namespace cannot label itself into access. Lists replace their defaults whole, in Helm as
 * in zod, so a user list never mixes with the default.
 */

const namespaceName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a namespace name (DNS-1123 label)' });

const namespaceList = (fallback: readonly string[], description: string) =>
  z
    .array(namespaceName)
    .max(50)
    .default([...fallback])
    .describe(description);

export const NetworkPolicyValuesSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'Create NetworkPolicies that admit only Sluice traffic to the agent and controller pods (ingress only). Needs a CNI that enforces NetworkPolicy.',
      ),
    sidecarNamespaces: namespaceList(
      [],
      "Namespaces whose pods may reach the agent gRPC port (Envoy sidecars and gateways: ext_authz Check and access logs). Empty: every namespace, since sidecars live everywhere. A namespace left out fails open (Envoy's failure_mode_allow).",
    ),
    metricsNamespaces: namespaceList(
      ['monitoring'],
      'Namespaces whose pods may reach the agent and controller HTTP ports (Prometheus scrapes of /metrics). Empty: none. Kubelet probes come from the node, which NetworkPolicy always admits.',
    ),
    apiNamespaces: namespaceList(
      [],
      "Namespaces whose pods may call the controller's /v1 API port (sluicectl). Empty: none; kubectl port-forward still works (it enters the pod's own network namespace).",
    ),
  })
  .strict();

export type NetworkPolicyValues = z.output<typeof NetworkPolicyValuesSchema>;
