import { concat, defaultTo, eq, not, ternary } from '../../template/expr.js';
import { type TreeObject, when, yamlOf } from '../../template/template-tree.js';
import type { TenantScope } from './tenant-names.js';

/** The tenant's cert-manager Certificate, in the gateway's namespace: the Secret must sit beside the gateway workload. */
export function tenantCertificate({ tenant, names, view, labels }: TenantScope): TreeObject {
  const certificate = view.certificate;
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: names.secret, namespace: names.namespace, labels },
    spec: {
      secretName: names.secret,
      dnsNames: tenant.field('hosts'),
      issuerRef: {
        name: defaultTo(tenant.field('issuer'), view.clusterIssuer.name.$),
        kind: 'ClusterIssuer',
        group: 'cert-manager.io',
      },
      duration: certificate.duration.$,
      renewBefore: certificate.renewBefore.$,
      privateKey: {
        algorithm: certificate.privateKeyAlgorithm.$,
        // Ed25519 keys have one size, which cert-manager refuses to be told.
        size: when(
          not(eq(certificate.privateKeyAlgorithm.$, 'Ed25519')),
          ternary(eq(certificate.privateKeyAlgorithm.$, 'RSA'), 3072, 256),
        ),
        rotationPolicy: 'Always',
      },
    },
  };
}

/** The tenant's Istio Gateway: HTTPS SIMPLE with its certificate, port 80 redirecting to HTTPS. */
export function tenantIstioGateway({ tenant, names, view, labels }: TenantScope): TreeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: names.gateway, namespace: names.namespace, labels },
    spec: {
      // Label selectors reach gateway pods in every namespace, so the default names this tenant's own gateway.
      selector: when(tenant.field('gatewaySelector'), yamlOf(tenant.field('gatewaySelector')), {
        istio: concat(names.name, '-ingressgateway'),
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
          tls: { mode: 'SIMPLE', credentialName: names.secret },
        },
      ],
    },
  };
}

/** The tenant's VirtualService from its Gateway to the backend Service. */
export function tenantVirtualService({ tenant, names, labels }: TenantScope): TreeObject {
  const destination = { host: names.backendHost, port: { number: tenant.field('backend').field('port') } };
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: names.name, namespace: names.namespace, labels },
    spec: {
      hosts: tenant.field('hosts'),
      gateways: [concat(names.namespace, '/', names.gateway)],
      http: [{ route: [{ destination }] }],
    },
  };
}
