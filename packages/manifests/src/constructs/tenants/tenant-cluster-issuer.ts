import {
  MISSING_ACME_EMAIL,
  type TenantGatewaysValues,
  type TenantValues,
  wildcardHttp01Message,
} from '@sluice/spec';
import {
  and,
  concat,
  contains,
  defaultTo,
  eq,
  type Expr,
  not,
  ternary,
  toJson,
} from '../../template/expr.js';
import { refuseWhen } from '../../template/chart-guards.js';
import { each, type TreeObject, when } from '../../template/template-tree.js';
import type { View } from '../../template/values-view.js';
import { HTTP_LISTENER } from './tenant-gateway-api-objects.js';
import { tenantGatewaysLabels, tenantScope } from './tenant-names.js';

const LETS_ENCRYPT = 'https://acme-v02.api.letsencrypt.org/directory';
const LETS_ENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';

/**
 * HTTP01 for one tenant: cert-manager's gatewayHTTPRoute solver creates the challenge HTTPRoute in the
 * Certificate's namespace with these parentRefs, so it attaches to the tenant's own Gateway (port-80
 * listener, routes from the same namespace). The selector keeps each tenant's challenges on its Gateway.
 */
function tenantHttp01Solver(view: View<TenantGatewaysValues>, tenant: Expr<TenantValues>): TreeObject {
  const { names } = tenantScope(tenant, view);
  const [before = '', after = ''] = wildcardHttp01Message('\u0000').split('\u0000');
  return {
    // Hosts match HOST_PATTERN, so a `*` in the list is a leading `*.`.
    refuseWildcard: refuseWhen(
      contains('*', toJson(tenant.field('hosts'))),
      concat(before, names.name, after),
    ),
    selector: { dnsNames: tenant.field('hosts') },
    http01: {
      gatewayHTTPRoute: {
        parentRefs: [
          {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: names.gateway,
            namespace: names.namespace,
            sectionName: HTTP_LISTENER,
          },
        ],
      },
    },
  };
}

/**
 * The Let's Encrypt ClusterIssuer (`clusterIssuer.create`): DNS01 on Route53, or HTTP01 through the Gateway
 * of each tenant that uses this issuer (Gateway API mode only; the schema and the chart refuse it otherwise).
 */
export function tenantClusterIssuer(view: View<TenantGatewaysValues>): TreeObject {
  const issuer = view.clusterIssuer;
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: {
      name: issuer.name.$,
      labels: tenantGatewaysLabels('cluster-issuer'),
      refuseMissingEmail: refuseWhen(not(issuer.email.$), MISSING_ACME_EMAIL),
    },
    spec: {
      acme: {
        server: ternary(issuer.staging.$, LETS_ENCRYPT_STAGING, LETS_ENCRYPT),
        email: issuer.email.$ as Expr<string>,
        privateKeySecretRef: { name: concat(issuer.name.$, '-account-key') },
        solvers: [
          when(eq(issuer.solver.$, 'dns01Route53'), {
            dns01: {
              route53: {
                region: issuer.route53.region.$,
                hostedZoneID: when(issuer.route53.hostedZoneID.$, issuer.route53.hostedZoneID.$),
                role: when(issuer.route53.role.$, issuer.route53.role.$),
              },
            },
          }),
          each(view.tenants.$, (tenant: Expr<TenantValues>) =>
            when(
              and(
                eq(issuer.solver.$, 'http01'),
                eq(defaultTo(tenant.field('issuer'), issuer.name.$), issuer.name.$),
              ),
              tenantHttp01Solver(view, tenant),
            ),
          ),
        ],
      },
    },
  };
}
