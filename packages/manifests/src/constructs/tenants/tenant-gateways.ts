import { Construct } from 'constructs';
import { parseProps, type ReleaseProps } from '../component-binding.js';
import {
  and,
  chartAppVersion,
  concat,
  defaultTo,
  eq,
  type EvalContext,
  type Expr,
  not,
  releaseName,
  ternary,
} from '../../template/expr.js';
import { passUnless, refuseWhen } from '../../template/chart-guards.js';
import { SluiceObject } from '../sluice-object.js';
import {
  crossNamespaceBackendMessage,
  MISSING_ACME_EMAIL,
  SLUICE_CHART_FACTS,
  type TenantGatewaysValues,
  TenantGatewaysValuesSchema,
  type TenantGatewaysValuesInput,
  type TenantValues,
} from '@sluice/spec';
import { each, type TreeObject, when, yamlOf } from '../../template/template-tree.js';
import { literalView, valuesView, type View } from '../../template/values-view.js';
import { releaseContext } from '../component-binding.js';
import { firstTenantDuplicate } from './tenant-guards.js';

const SOURCE = 'packages/manifests/src/constructs/tenants/tenant-gateways.ts';

/** The schema refinement's words (crossNamespaceBackendMessage) with the tenant and namespace filled in by either renderer. */
function crossNamespaceMessage(tenant: Expr<string>, namespace: Expr<string>): Expr<string> {
  const [before = '', middle = '', after = ''] = crossNamespaceBackendMessage('\u0000', '\u0000').split(
    '\u0000',
  );
  return concat(before, tenant, middle, namespace, after);
}

export const TENANT_GATEWAYS_CHART = { name: 'tenant-gateways', ...SLUICE_CHART_FACTS } as const;

const LETS_ENCRYPT = 'https://acme-v02.api.letsencrypt.org/directory';
const LETS_ENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';

/** Props of a typed `TenantGateways`: the chart's values. Objects live in each tenant's namespace, so only the release is needed. */
export interface TenantGatewaysProps
  extends Readonly<TenantGatewaysValuesInput>, Pick<ReleaseProps, 'release'> {}

interface ChartBinding {
  readonly view: View<TenantGatewaysValues>;
}

/** Per-tenant names, all derived from the tenant name so they never move when other tenants come and go. */
class TenantNames {
  readonly name: Expr<string>;
  readonly namespace: Expr<string>;
  readonly gateway: Expr<string>;
  readonly secret: Expr<string>;
  readonly backendHost: Expr<string>;
  constructor(tenant: Expr<TenantValues>, clusterDomain: Expr<string>) {
    this.name = tenant.field('name');
    this.namespace = defaultTo(tenant.field('namespace'), this.name);
    this.gateway = concat(this.name, '-gateway');
    this.secret = concat(this.name, '-tls');
    const backend = tenant.field('backend');
    this.backendHost = concat(
      backend.field('service'),
      '.',
      defaultTo(backend.field('namespace'), this.namespace),
      '.svc.',
      clusterDomain,
    );
  }
}

/**
 * One ingress gateway per tenant, each with its own certificate (peers.md §6): a cert-manager Certificate
 * in the tenant's gateway namespace (the Secret must sit beside the gateway workload), an Istio Gateway
 * (HTTPS SIMPLE with credentialName, HTTP redirected to HTTPS) and a VirtualService to the backend; or the
 * Gateway API variant (Gateway + HTTPRoutes). Optionally a Let's Encrypt ClusterIssuer (DNS01 Route53 or
 * HTTP01). Duplicate hosts or tenant names are refused by both renderers.
 */
export class TenantGateways extends Construct {
  readonly objects: readonly SluiceObject[];

  static forChart(scope: Construct, id: string): TenantGateways {
    return new TenantGateways(scope, id, { view: valuesView<TenantGatewaysValues>() });
  }

  constructor(scope: Construct, id: string, props: TenantGatewaysProps | ChartBinding = {}) {
    super(scope, id);
    let view: View<TenantGatewaysValues>;
    let context: EvalContext | undefined;
    if ('view' in props) {
      view = props.view;
    } else {
      const { release, ...rest } = props;
      const base = releaseContext({ release }, TENANT_GATEWAYS_CHART, 'TenantGateways');
      const parsed = parseProps(TenantGatewaysValuesSchema, rest, 'TenantGateways');
      // Helper templates (the duplicate check) read `.Values`, so synthesis evaluates with the parsed values.
      context = { ...base, values: parsed };
      view = literalView(parsed);
    }
    const labels = (component: string): TreeObject => ({
      'app.kubernetes.io/name': `tenant-gateways-${component}`,
      'app.kubernetes.io/instance': releaseName,
      'app.kubernetes.io/component': component,
      'app.kubernetes.io/part-of': 'sluice',
      'app.kubernetes.io/version': chartAppVersion,
    });
    const common = { source: SOURCE, context };
    const tenants = view.tenants.$;
    const gatewayApi = view.gatewayApi.enabled.$;
    const labelsOf = (tenant: TenantNames): TreeObject => ({
      ...labels('tenant-gateway'),
      'sluice.dev/tenant': tenant.name,
    });
    const duplicate = firstTenantDuplicate();
    const perTenant = (
      file: string,
      id: string,
      enabled: Expr<unknown> | undefined,
      build: (tenant: Expr<TenantValues>, n: TenantNames) => TreeObject,
    ) =>
      new SluiceObject(this, id, {
        ...common,
        file,
        when: enabled,
        forEach: tenants,
        build: (tenant: Expr<TenantValues>) => build(tenant, new TenantNames(tenant, view.clusterDomain.$)),
      });

    // Checked once for the whole list (the object's `when`), not once per tenant: the check walks every
    // tenant, so per tenant it made synthesis and `helm template` quadratic in tenants.
    const certificate = perTenant(
      'certificates.yaml',
      'Certificates',
      passUnless(duplicate, duplicate),
      (tenant, n) => ({
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: {
          name: n.secret,
          namespace: n.namespace,
          labels: labelsOf(n),
        },
        spec: {
          secretName: n.secret,
          dnsNames: tenant.field('hosts'),
          issuerRef: {
            name: defaultTo(tenant.field('issuer'), view.clusterIssuer.name.$),
            kind: 'ClusterIssuer',
            group: 'cert-manager.io',
          },
          duration: view.certificate.duration.$,
          renewBefore: view.certificate.renewBefore.$,
          privateKey: {
            algorithm: view.certificate.privateKeyAlgorithm.$,
            // Ed25519 keys have one size, which cert-manager refuses to be told.
            size: when(
              not(eq(view.certificate.privateKeyAlgorithm.$, 'Ed25519')),
              ternary(eq(view.certificate.privateKeyAlgorithm.$, 'RSA'), 3072, 256),
            ),
            rotationPolicy: 'Always',
          },
        },
      }),
    );

    const istioGateway = perTenant('istio-gateways.yaml', 'IstioGateways', not(gatewayApi), (tenant, n) => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: n.gateway, namespace: n.namespace, labels: labelsOf(n) },
      spec: {
        // Label selectors reach gateway pods in every namespace, so the default names this tenant's own gateway.
        selector: when(tenant.field('gatewaySelector'), yamlOf(tenant.field('gatewaySelector')), {
          istio: concat(n.name, '-ingressgateway'),
        }),
        servers: [
          when(view.httpsRedirect.$, {
            port: { number: 80, name: 'http', protocol: 'HTTP' },
            hosts: tenant.field('hosts'),
            tls: { httpsRedirect: true },
          }),
          {
            port: { number: 443, name: 'https', protocol: 'HTTPS' },
            hosts: tenant.field('hosts'),
            tls: { mode: 'SIMPLE', credentialName: n.secret },
          },
        ],
      },
    }));

    const virtualService = perTenant(
      'virtual-services.yaml',
      'VirtualServices',
      not(gatewayApi),
      (tenant, n) => ({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: n.name, namespace: n.namespace, labels: labelsOf(n) },
        spec: {
          hosts: tenant.field('hosts'),
          gateways: [concat(n.namespace, '/', n.gateway)],
          http: [
            {
              route: [
                {
                  destination: {
                    host: n.backendHost,
                    port: { number: tenant.field('backend').field('port') },
                  },
                },
              ],
            },
          ],
        },
      }),
    );

    const apiGateway = perTenant(
      'gateway-api-gateways.yaml',
      'GatewayApiGateways',
      gatewayApi,
      (tenant, n) => ({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: n.gateway, namespace: n.namespace, labels: labelsOf(n) },
        spec: {
          gatewayClassName: view.gatewayApi.gatewayClassName.$,
          listeners: [
            each(tenant.field('hosts'), (host, index) => ({
              name: concat('https-', index),
              hostname: host,
              port: 443,
              protocol: 'HTTPS',
              tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', group: '', name: n.secret }] },
              allowedRoutes: { namespaces: { from: 'Same' } },
            })),
            each(tenant.field('hosts'), (host, index) =>
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
      }),
    );

    const apiRoute = perTenant('gateway-api-httproutes.yaml', 'GatewayApiRoutes', gatewayApi, (tenant, n) => {
      const backendNamespace = tenant.field('backend').field('namespace') as Expr<string>;
      return {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: {
          name: n.name,
          namespace: n.namespace,
          labels: labelsOf(n),
          // A route to another namespace would need a ReferenceGrant there; refuse rather than route nowhere.
          refuseCrossNamespace: refuseWhen(
            // not(not(…)) turns an unset namespace into false before `and` sees it.
            and(not(not(backendNamespace)), not(eq(backendNamespace, n.namespace))),
            crossNamespaceMessage(n.name, n.namespace),
          ),
        },
        spec: {
          parentRefs: [
            each(tenant.field('hosts'), (_host, index) => ({
              name: n.gateway,
              sectionName: concat('https-', index),
            })),
          ],
          hostnames: tenant.field('hosts'),
          rules: [
            {
              backendRefs: [
                {
                  name: tenant.field('backend').field('service'),
                  port: tenant.field('backend').field('port'),
                },
              ],
            },
          ],
        },
      };
    });

    const apiRedirect = perTenant(
      'gateway-api-redirects.yaml',
      'GatewayApiRedirects',
      and(gatewayApi, view.httpsRedirect.$),
      (tenant, n) => ({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: concat(n.name, '-redirect'), namespace: n.namespace, labels: labelsOf(n) },
        spec: {
          parentRefs: [
            each(tenant.field('hosts'), (_host, index) => ({
              name: n.gateway,
              sectionName: concat('http-', index),
            })),
          ],
          hostnames: tenant.field('hosts'),
          rules: [
            { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] },
          ],
        },
      }),
    );

    const issuer = view.clusterIssuer;
    const clusterIssuer = new SluiceObject(this, 'ClusterIssuer', {
      ...common,
      file: 'cluster-issuer.yaml',
      when: issuer.create.$,
      tree: {
        apiVersion: 'cert-manager.io/v1',
        kind: 'ClusterIssuer',
        metadata: {
          name: issuer.name.$,
          labels: labels('cluster-issuer'),
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
      },
    });

    this.objects = [
      certificate,
      istioGateway,
      virtualService,
      apiGateway,
      apiRoute,
      apiRedirect,
      clusterIssuer,
    ];
  }
}
