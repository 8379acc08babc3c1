import { MISSING_ACME_EMAIL, type TenantGatewaysValues } from '@sluice/spec';
import { concat, eq, type Expr, not, ternary } from '../../template/expr.js';
import { refuseWhen } from '../../template/chart-guards.js';
import { type TreeObject, when } from '../../template/template-tree.js';
import type { View } from '../../template/values-view.js';
import { tenantGatewaysLabels } from './tenant-names.js';

const LETS_ENCRYPT = 'https://acme-v02.api.letsencrypt.org/directory';
const LETS_ENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';

/** The Let's Encrypt ClusterIssuer (`clusterIssuer.create`): DNS01 on Route53, or HTTP01. */
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
          when(
            eq(issuer.solver.$, 'dns01Route53'),
            {
              dns01: {
                route53: {
                  region: issuer.route53.region.$,
                  hostedZoneID: when(issuer.route53.hostedZoneID.$, issuer.route53.hostedZoneID.$),
                  role: when(issuer.route53.role.$, issuer.route53.role.$),
                },
              },
            },
            { http01: { ingress: { ingressClassName: issuer.http01IngressClassName.$ } } },
          ),
        ],
      },
    },
  };
}
