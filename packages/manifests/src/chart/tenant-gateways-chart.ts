import type { ChartDefinition } from './chart-generator.js';
import { concat, releaseName, releaseNamespace } from '../template/expr.js';
import { TenantGatewaysValuesSchema } from '@sluice/spec';
import { textLines } from '../template/template-tree.js';
import { TENANT_GATEWAYS_CHART, TenantGateways } from '../constructs/tenants/tenant-gateways.js';

const SOURCE = 'packages/manifests/src/chart/tenant-gateways-chart.ts';

/** `charts/tenant-gateways`: one ingress gateway, certificate and route per tenant. */
export const TENANT_GATEWAYS_CHART_DEFINITION: ChartDefinition = {
  ...TENANT_GATEWAYS_CHART,
  description:
    'One Istio ingress gateway per tenant, each with its own cert-manager certificate (Istio Gateway/VirtualService or Gateway API).',
  kubeVersion: '>=1.28.0-0',
  valuesSchema: TenantGatewaysValuesSchema,
  source: SOURCE,
  build: (scope) => {
    TenantGateways.forChart(scope, 'TenantGateways');
  },
  notes: textLines(
    concat(
      'Tenant gateways are installed as release ',
      releaseName,
      ' (from namespace ',
      releaseNamespace,
      '); objects live in each tenant namespace.',
    ),
    'Each tenant needs its gateway workload in its namespace, e.g. helm install <tenant>-ingressgateway istio/gateway -n <tenant namespace>.',
    'Check certificates with: kubectl get certificate -A -l app.kubernetes.io/part-of=sluice',
  ),
  readme: `
Generated from the \`TenantGateways\` construct of \`@sluice/manifests\`; \`helm template\` of this chart equals
cdk8s synthesis with the same values on Helm 3 and Helm 4. Needs cert-manager (\`cert-manager.io/v1\`) and
Istio 1.22+ (\`networking.istio.io/v1\` Gateway and VirtualService) or Gateway API v1
(\`gateway.networking.k8s.io/v1\`, \`gatewayApi.enabled\`).

Per tenant it renders, in the tenant's namespace (where the gateway workload and therefore the TLS Secret
must live): a Certificate \`<tenant>-tls\`, a Gateway \`<tenant>-gateway\` (HTTPS SIMPLE with
\`credentialName: <tenant>-tls\`, port 80 redirecting to HTTPS) and a VirtualService \`<tenant>\` to the
backend. Names derive from the tenant name only, so adding or removing a tenant never renames another.

\`\`\`yaml
tenants:
  - name: shop
    hosts: [shop.example.com]
    backend: { service: web, port: 8080 }
clusterIssuer:
  create: true
  email: ops@example.com
  route53: { region: eu-west-1, hostedZoneID: Z0123456789ABC }
\`\`\`

Host names and tenant names are checked by \`values.schema.json\`; a host claimed by two tenants or a tenant
name used twice is refused by the templates, naming both tenants.

With \`gatewayApi.enabled\` each tenant gets a Gateway with two listeners (\`https\` on 443 with the tenant's
certificate, \`http\` on 80) and its hosts go into HTTPRoutes of at most 16 hostnames each (\`<tenant>\`,
\`<tenant>.2\`, ...; with the redirect also \`<tenant>-redirect\`, \`<tenant>-redirect.2\`, ...): Gateway API
v1.2 allows 16 hostnames and 32 parentRefs per HTTPRoute and 64 listeners per Gateway, and a tenant may have
up to 100 hosts.

\`clusterIssuer.solver: http01\` works only with \`gatewayApi.enabled\`: the ClusterIssuer gets one
\`http01.gatewayHTTPRoute\` solver per tenant that uses it, selected by the tenant's hosts, with the tenant's
Gateway (listener \`http\`) as parent. cert-manager then creates the challenge HTTPRoute beside the
Certificate; its Exact path match takes precedence over the redirect's \`/\` prefix, so the redirect does not
swallow \`/.well-known/acme-challenge/\`. cert-manager must have its Gateway API support enabled
(\`config.enableGatewayAPI: true\` in its chart from 1.16, the \`--enable-gateway-api\` flag from 1.15). With Istio
Gateway objects HTTP01 is refused: Istio serves cert-manager's Ingress only on \`istio: ingressgateway\` pods
and the tenant's port 80 redirects, so use \`dns01Route53\`. A tenant with a wildcard host cannot use it either (ACME
validates wildcard names through DNS01 only).

\`certificate.privateKeyAlgorithm: Ed25519\` is refused unless \`certificate.issuerKind\` names a non-ACME
issuer (\`ca\`, \`vault\`, \`venafi\`, \`selfSigned\`, \`external\`) and \`clusterIssuer.create\` is false: Let's
Encrypt signs only RSA and ECDSA keys.
`,
};
