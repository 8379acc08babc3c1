import { crossNamespaceBackendMessage } from '@sluice/spec';
import type { TenantGatewaysValues } from '@sluice/spec';
import { and, concat, eq, type Expr, not, or } from '../../template/expr.js';
import { refuseWhen } from '../../template/chart-guards.js';
import { type TreeObject, when } from '../../template/template-tree.js';
import type { View } from '../../template/values-view.js';
import type { TenantScope } from './tenant-names.js';
import type { TenantRouteChunk } from './tenant-route-chunks.js';

export const HTTPS_LISTENER = 'https';
export const HTTP_LISTENER = 'http';

/** The chart's own ClusterIssuer solves HTTP01: the Gateways then need their port-80 listener. */
export function http01Solver(view: View<TenantGatewaysValues>): Expr<unknown> {
  return and(view.clusterIssuer.create.$, eq(view.clusterIssuer.solver.$, 'http01'));
}

/** The Gateway API variant (`gatewayApi.enabled`): a Gateway per tenant, an HTTPRoute, a redirect route. */

/** The schema refinement's words (crossNamespaceBackendMessage) with the tenant and namespace filled in by either renderer. */
function crossNamespaceMessage(tenant: Expr<string>, namespace: Expr<string>): Expr<string> {
  const [before = '', middle = '', after = ''] = crossNamespaceBackendMessage('\u0000', '\u0000').split(
    '\u0000',
  );
  return concat(before, tenant, middle, namespace, after);
}

/**
 * Two listeners whatever the number of hosts (Gateway API allows 64): HTTPS for every host with the tenant's
 * certificate, and HTTP on port 80 for the redirect and for cert-manager's HTTP01 challenge routes. The
 * listeners name no hostname; the HTTPRoutes do, so a host of no route gets a 404.
 */
export function tenantApiGateway({ names, view, labels }: TenantScope): TreeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: names.gateway, namespace: names.namespace, labels },
    spec: {
      gatewayClassName: view.gatewayApi.gatewayClassName.$,
      listeners: [
        {
          name: HTTPS_LISTENER,
          port: 443,
          protocol: 'HTTPS',
          tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', group: '', name: names.secret }] },
          allowedRoutes: { namespaces: { from: 'Same' } },
        },
        when(or(view.httpsRedirect.$, http01Solver(view)), {
          name: HTTP_LISTENER,
          port: 80,
          protocol: 'HTTP',
          allowedRoutes: { namespaces: { from: 'Same' } },
        }),
      ],
    },
  };
}

/** The route to the backend for one chunk of at most 16 hosts, on the HTTPS listener. */
export function tenantApiRoute(
  { tenant, names, labels }: TenantScope,
  chunk: Expr<TenantRouteChunk>,
): TreeObject {
  const backend = tenant.field('backend');
  const backendNamespace = backend.field('namespace') as Expr<string>;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name: concat(names.name, chunk.field('suffix')),
      namespace: names.namespace,
      labels,
      // A route to another namespace would need a ReferenceGrant there; refuse rather than route nowhere.
      refuseCrossNamespace: refuseWhen(
        // not(not(…)) turns an unset namespace into false before `and` sees it.
        and(not(not(backendNamespace)), not(eq(backendNamespace, names.namespace))),
        crossNamespaceMessage(names.name, names.namespace),
      ),
    },
    spec: {
      parentRefs: [{ name: names.gateway, sectionName: HTTPS_LISTENER }],
      hostnames: chunk.field('hosts'),
      rules: [{ backendRefs: [{ name: backend.field('service'), port: backend.field('port') }] }],
    },
  };
}

/**
 * The 301 from HTTP to HTTPS for one chunk of hosts, on the HTTP listener. Its rule matches the path prefix
 * `/`; cert-manager's challenge route matches `/.well-known/acme-challenge/<token>` Exact, and Gateway API
 * gives an Exact path match precedence over any prefix match (HTTPRouteRule in httproute_types.go), so the
 * redirect never answers a challenge.
 */
export function tenantApiRedirect({ names, labels }: TenantScope, chunk: Expr<TenantRouteChunk>): TreeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name: concat(names.name, '-redirect', chunk.field('suffix')),
      namespace: names.namespace,
      labels,
    },
    spec: {
      parentRefs: [{ name: names.gateway, sectionName: HTTP_LISTENER }],
      hostnames: chunk.field('hosts'),
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
        },
      ],
    },
  };
}
