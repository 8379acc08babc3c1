/**
 * A small evaluator of Kubernetes NetworkPolicy ingress, for asserting what rendered policies admit without a
 * cluster. It follows the documented semantics:
 *
 * - a pod is isolated for ingress once any policy of its namespace selects it with `Ingress` in its
 *   policyTypes (implied when policyTypes is unset); an unselected pod admits everything;
 * - an isolated pod admits a connection when some rule of some selecting policy matches both its source
 *   (`from` unset or empty: every source) and its port (`ports` unset or empty: every port);
 * - a peer with only `podSelector` means pods of the policy's namespace; only `namespaceSelector`, every pod
 *   of the matching namespaces; both in one peer, pods matching both (AND); separate peers are OR;
 * - every namespace carries `kubernetes.io/metadata.name: <name>`;
 * - traffic from the node the pod runs on (kubelet probes) is always allowed.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */

type Any = Record<string, any>;

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

/** A connection's source: a pod (namespace, labels, IP) or the destination pod's own node. */
export type Source =
  | { readonly kind: 'pod'; readonly namespace: string; readonly labels: Labels; readonly ip?: string }
  | { readonly kind: 'node' };

export interface Destination {
  readonly namespace: string;
  readonly labels: Labels;
  /** Container ports, for named ports in policies. */
  readonly ports?: readonly {
    readonly name?: string;
    readonly containerPort: number;
    readonly protocol?: string;
  }[];
}

export interface Cluster {
  /** Namespace name → its labels (the name label is added). */
  readonly namespaces: Readonly<Record<string, Labels>>;
  /** NetworkPolicy objects, as rendered. */
  readonly policies: readonly Any[];
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (selector === undefined) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    const ok =
      operator === 'In'
        ? has && values.includes(value as string)
        : operator === 'NotIn'
          ? !has || !values.includes(value as string)
          : operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

function namespaceLabels(cluster: Cluster, name: string): Labels {
  return { ...(cluster.namespaces[name] ?? {}), 'kubernetes.io/metadata.name': name };
}

function ipv4(text: string): number {
  return text.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4(base) / size) * size;
  return ipv4(ip) >= start && ipv4(ip) < start + size;
}

function peerMatches(peer: Any, source: Source, policyNamespace: string, cluster: Cluster): boolean {
  if (source.kind !== 'pod') return false;
  if (peer.ipBlock !== undefined) {
    const { cidr, except = [] } = peer.ipBlock as { cidr: string; except?: string[] };
    return (
      source.ip !== undefined &&
      inCidr(source.ip, cidr) &&
      !except.some((e) => inCidr(source.ip as string, e))
    );
  }
  const { namespaceSelector, podSelector } = peer as {
    namespaceSelector?: LabelSelector;
    podSelector?: LabelSelector;
  };
  const namespaceOk =
    namespaceSelector === undefined
      ? source.namespace === policyNamespace
      : selectorMatches(namespaceSelector, namespaceLabels(cluster, source.namespace));
  const podOk = podSelector === undefined ? true : selectorMatches(podSelector, source.labels);
  return namespaceOk && podOk && (namespaceSelector !== undefined || podSelector !== undefined);
}

function portMatches(rulePort: Any, port: number, protocol: string, destination: Destination): boolean {
  if ((rulePort.protocol ?? 'TCP') !== protocol) return false;
  if (rulePort.port === undefined) return true;
  if (typeof rulePort.port === 'string') {
    return (destination.ports ?? []).some(
      (p) => p.name === rulePort.port && p.containerPort === port && (p.protocol ?? 'TCP') === protocol,
    );
  }
  const end = (rulePort.endPort as number | undefined) ?? rulePort.port;
  return port >= rulePort.port && port <= end;
}

function policyTypes(policy: Any): string[] {
  return policy.spec.policyTypes ?? ['Ingress', ...(policy.spec.egress ? ['Egress'] : [])];
}

/** Policies of the destination's namespace that select it for ingress. */
export function selectingPolicies(cluster: Cluster, destination: Destination): Any[] {
  return cluster.policies.filter(
    (policy) =>
      policy.kind === 'NetworkPolicy' &&
      policy.metadata.namespace === destination.namespace &&
      policyTypes(policy).includes('Ingress') &&
      selectorMatches(policy.spec.podSelector ?? {}, destination.labels),
  );
}

/** Whether `source` may open a connection to `destination` on `port`. */
export function ingressAllowed(
  cluster: Cluster,
  source: Source,
  destination: Destination,
  port: number,
  protocol = 'TCP',
): boolean {
  if (source.kind === 'node') return true;
  const policies = selectingPolicies(cluster, destination);
  if (policies.length === 0) return true;
  return policies.some((policy) =>
    ((policy.spec.ingress ?? []) as Any[]).some((rule) => {
      const from = (rule.from ?? []) as Any[];
      const ports = (rule.ports ?? []) as Any[];
      const sourceOk =
        from.length === 0 ||
        from.some((peer) => peerMatches(peer, source, policy.metadata.namespace, cluster));
      const portOk = ports.length === 0 || ports.some((p) => portMatches(p, port, protocol, destination));
      return sourceOk && portOk;
    }),
  );
}
