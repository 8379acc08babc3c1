import { crossNamespaceBackendMessage } from '@sluice/spec';
import { and, concat, eq, type Expr, not } from '../../template/expr.js';
import { refuseWhen } from '../../template/chart-guards.js';
import { each, type TreeObject, when } from '../../template/template-tree.js';
import type { TenantScope } from './tenant-names.js';

/** The Gateway API variant (`gatewayApi.enabled`): a Gateway per tenant, an HTTPRoute, a redirect route. */

/** The schema refinement's words (crossNamespaceBackendMessage) with the tenant and namespace filled in by either renderer. */
function crossNamespaceMessage(tenant: Expr<string>, namespace: Expr<string>): Expr<string> {
  const [before = '', middle = '', after = ''] = crossNamespaceBackendMessage('\u0000', '\u0000').split(
    '\u0000',
  );
  return concat(before, tenant, middle, namespace, after);
}

/** One HTTPS and (with the redirect) one HTTP listener per host. */
export function tenantApiGateway({ tenant, names, view, labels }: TenantScope): TreeObject {
  const hosts = tenant.field('hosts');
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: names.gateway, namespace: names.namespace, labels },
    spec: {
      gatewayClassName: view.gatewayApi.gatewayClassName.$,
      listeners: [
        each(hosts, (host, index) => ({
          name: concat('https-', index),
          hostname: host,
          port: 443,
          protocol: 'HTTPS',
          tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', group: '', name: names.secret }] },
          allowedRoutes: { namespaces: { from: 'Same' } },
        })),
        each(hosts, (host, index) =>
          when(view.httpsRedirect.$, {
            name: concat('http-', index),
            hostname: host,
            port: 80,
            protocol: 'HTTP',
            allowedRoutes: { namespaces: { from: 'Same' } },
          }),
        ),
      ],
    },
  };
}

/** The route to the backend, on the HTTPS listeners. */
export function tenantApiRoute({ tenant, names, labels }: TenantScope): TreeObject {
  const backend = tenant.field('backend');
  const backendNamespace = backend.field('namespace') as Expr<string>;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name: names.name,
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
      parentRefs: [
        each(tenant.field('hosts'), (_host, index) => ({
          name: names.gateway,
          sectionName: concat('https-', index),
        })),
      ],
      hostnames: tenant.field('hosts'),
      rules: [{ backendRefs: [{ name: backend.field('service'), port: backend.field('port') }] }],
    },
  };
}

/** The 301 from HTTP to HTTPS, on the HTTP listeners. */
export function tenantApiRedirect({ tenant, names, labels }: TenantScope): TreeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: concat(names.name, '-redirect'), namespace: names.namespace, labels },
    spec: {
      parentRefs: [
        each(tenant.field('hosts'), (_host, index) => ({
          name: names.gateway,
          sectionName: concat('http-', index),
        })),
      ],
      hostnames: tenant.field('hosts'),
      rules: [
        { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] },
      ],
    },
  };
}
