import { OUTBOUND_EXACT_BALANCE_VARIABLE } from './exact-balance.js';

/** The fields of a rendered object this check reads. */
interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly namespace?: string };
  readonly spec?: unknown;
}

/** Gateway kinds whose namespace runs gateway pods: Istio's Gateway (tenant gateways) and Gateway API's. */
function isGateway(object: RenderedObject): boolean {
  return (
    object.kind === 'Gateway' &&
    (object.apiVersion.startsWith('networking.istio.io/') ||
      object.apiVersion.startsWith('gateway.networking.k8s.io/'))
  );
}

/** A ProxyConfig without selector reaches every pod of its namespace, gateways included. */
function balancesOutbound(object: RenderedObject): boolean {
  if (object.kind !== 'ProxyConfig' || !object.apiVersion.startsWith('networking.istio.io/')) return false;
  const spec = (object.spec ?? {}) as {
    selector?: unknown;
    environmentVariables?: Record<string, string>;
  };
  return (
    spec.selector === undefined && spec.environmentVariables?.[OUTBOUND_EXACT_BALANCE_VARIABLE] === 'true'
  );
}

/**
 * Namespaces where one component's outbound exact balance would reach another component's gateway pods:
 * the istioconfig values cannot see tenants, so the check runs over everything a config renders together.
 * Sorted, each once.
 */
export function gatewayNamespacesWithOutboundBalance(objects: readonly RenderedObject[]): string[] {
  const gatewayNamespaces = new Set(
    objects.filter(isGateway).map((object) => object.metadata.namespace ?? ''),
  );
  const conflicts = objects
    .filter(balancesOutbound)
    .map((object) => object.metadata.namespace ?? '')
    .filter((namespace) => gatewayNamespaces.has(namespace));
  return [...new Set(conflicts)].sort();
}
