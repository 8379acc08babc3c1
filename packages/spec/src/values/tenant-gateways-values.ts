import { z } from 'zod';

/**
 * Install-time choices for the `tenant-gateways` chart and the `TenantGateways` construct: one ingress
 * gateway per tenant, each with its own cert-manager certificate, so onboarding a tenant is one list item.
 * List items get their defaults in the templates (Helm does not merge defaults into list items), and zod
 * applies the same defaults here.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A tenant name becomes part of object names (`<name>-gateway`, `<name>-tls`); 40 characters keep every
 * derived name inside the 63-character DNS label limit.
 */
export const TENANT_NAME_MAX = 40;

/** A public host name: DNS labels of at most 63 characters, at least two labels, 253 in all; `*.` only as the first label. */
export const HOST_PATTERN = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

const tenantName = z
  .string()
  .max(TENANT_NAME_MAX)
  .regex(DNS_LABEL, { message: 'must be a DNS-1123 label: lower-case letters, digits and -' })
  .describe('Tenant name; object names derive from it, so it never changes once a tenant is live.');

const namespaceName = z
  .string()
  .max(63)
  .regex(DNS_LABEL, { message: 'must be a namespace name (DNS-1123 label)' });

const host = z.string().max(253).regex(HOST_PATTERN, {
  message: 'must be a lower-case DNS name such as shop.example.com (a leading *. is allowed)',
});

/** cert-manager's `privateKey.algorithm` words. */
export const PRIVATE_KEY_ALGORITHMS = ['ECDSA', 'RSA', 'Ed25519'] as const;
/** The private key algorithms an ACME CA signs: Let's Encrypt accepts RSA and ECDSA (P-256, P-384) keys only. */
export const ACME_KEY_ALGORITHMS = ['ECDSA', 'RSA'] as const;
/** cert-manager's issuer types (`spec.acme`, `ca`, `vault`, `venafi`, `selfSigned`) and external issuers. */
export const ISSUER_KINDS = ['acme', 'ca', 'vault', 'venafi', 'selfSigned', 'external'] as const;

export const TenantSchema = z
  .object({
    name: tenantName,
    namespace: namespaceName
      .optional()
      .describe(
        "Namespace of the tenant's gateway workload; the Certificate's Secret must sit beside it. Unset: the tenant name.",
      ),
    hosts: z
      .array(host)
      .min(1)
      .max(100)
      .describe('Host names this tenant serves; each belongs to exactly one tenant.'),
    backend: z
      .object({
        service: z
          .string()
          .max(63)
          .regex(DNS_LABEL, { message: 'must be a Service name' })
          .describe('Backend Service.'),
        port: z.number().int().min(1).max(65535).describe('Backend Service port.'),
        namespace: namespaceName.optional().describe("Backend namespace. Unset: the tenant's namespace."),
      })
      .strict()
      .describe('Where the tenant traffic goes.'),
    issuer: z
      .string()
      .max(63)
      .regex(DNS_LABEL, { message: 'must be an issuer name' })
      .optional()
      .describe('ClusterIssuer that signs the certificate. Unset: clusterIssuer.name.'),
    gatewaySelector: z
      .record(z.string().regex(/^[A-Za-z0-9./_-]{1,253}$/), z.string().regex(/^[A-Za-z0-9._-]{0,63}$/))
      .optional()
      .describe(
        "Labels of the tenant's gateway pods. Unset: istio: <name>-ingressgateway (istio/gateway release <name>-ingressgateway).",
      ),
  })
  .strict();

export const TenantGatewaysValuesSchema = z
  .object({
    tenants: z.array(TenantSchema).default([]).describe('One ingress gateway per tenant.'),
    gatewayApi: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('Gateway API (Gateway + HTTPRoute) instead of Istio Gateway + VirtualService.'),
        gatewayClassName: z
          .string()
          .max(63)
          .regex(DNS_LABEL)
          .default('istio')
          .describe('GatewayClass; Istio deploys a gateway per Gateway.'),
      })
      .strict()
      .prefault({})
      .describe('Gateway API variant.'),
    httpsRedirect: z
      .boolean()
      .default(true)
      .describe('Answer plain HTTP on port 80 with a redirect to HTTPS.'),
    clusterDomain: z
      .string()
      .max(253)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/)
      .default('cluster.local')
      .describe('Cluster DNS domain.'),
    certificate: z
      .object({
        duration: z
          .string()
          .regex(/^[0-9]+h$/, { message: 'must be hours such as 2160h' })
          .default('2160h')
          .describe('Certificate lifetime requested.'),
        renewBefore: z
          .string()
          .regex(/^[0-9]+h$/, { message: 'must be hours such as 360h' })
          .default('360h')
          .describe('Renew this long before expiry.'),
        privateKeyAlgorithm: z
          .enum(PRIVATE_KEY_ALGORITHMS)
          .default('ECDSA')
          .describe(
            'Private key algorithm; the key is rotated at every renewal. Ed25519 needs an issuerKind other than acme.',
          ),
        issuerKind: z
          .enum(ISSUER_KINDS)
          .default('acme')
          .describe(
            "What kind of cert-manager issuer signs tenant certificates: acme (Let's Encrypt and other ACME CAs), ca, vault, venafi, selfSigned or external.",
          ),
      })
      .strict()
      .prefault({})
      .describe('cert-manager Certificate settings shared by every tenant.'),
    clusterIssuer: z
      .object({
        create: z.boolean().default(false).describe("Create a Let's Encrypt ClusterIssuer."),
        name: z
          .string()
          .max(63)
          .regex(DNS_LABEL)
          .default('letsencrypt')
          .describe('ClusterIssuer name tenants use by default.'),
        email: z
          .string()
          .max(254)
          .regex(/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, { message: 'must be an e-mail address' })
          .optional()
          .describe("ACME account e-mail; needed when create is true (Let's Encrypt expiry notices)."),
        staging: z
          .boolean()
          .default(false)
          .describe("Use Let's Encrypt staging (untrusted certificates, high rate limits)."),
        solver: z
          .enum(['dns01Route53', 'http01'])
          .default('dns01Route53')
          .describe(
            "ACME challenge: DNS01 via Route53 (works behind the mesh), or HTTP01 through each tenant's Gateway (gatewayApi.enabled only; cert-manager's gatewayHTTPRoute solver).",
          ),
        route53: z
          .object({
            region: z
              .string()
              .regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, { message: 'must be an AWS region such as us-east-1' })
              .default('us-east-1')
              .describe('AWS region (a hint; Route53 is global).'),
            hostedZoneID: z
              .string()
              .regex(/^[A-Z0-9]{1,32}$/, { message: 'must be a Route53 hosted zone ID' })
              .optional()
              .describe('Hosted zone; unset: looked up by name.'),
            role: z
              .string()
              .regex(/^arn:aws:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/, {
                message: 'must be an IAM role ARN',
              })
              .optional()
              .describe('IAM role cert-manager assumes.'),
          })
          .strict()
          .prefault({})
          .describe('DNS01 Route53 settings.'),
      })
      .strict()
      .prefault({})
      .describe("Let's Encrypt ClusterIssuer."),
  })
  .strict()
  .superRefine((values, context) => {
    const hostOwner = new Map<string, string>();
    const names = new Set<string>();
    values.tenants.forEach((tenant, index) => {
      if (names.has(tenant.name)) {
        context.addIssue({
          code: 'custom',
          path: ['tenants', index, 'name'],
          message: duplicateTenantMessage(tenant.name),
        });
      }
      names.add(tenant.name);
      tenant.hosts.forEach((name, hostIndex) => {
        const owner = hostOwner.get(name);
        if (owner !== undefined) {
          context.addIssue({
            code: 'custom',
            path: ['tenants', index, 'hosts', hostIndex],
            message: duplicateHostMessage(name, owner, tenant.name),
          });
        }
        hostOwner.set(name, tenant.name);
      });
    });
    if (values.gatewayApi.enabled) {
      values.tenants.forEach((tenant, index) => {
        const namespace = tenant.namespace ?? tenant.name;
        if (tenant.backend.namespace !== undefined && tenant.backend.namespace !== namespace) {
          context.addIssue({
            code: 'custom',
            path: ['tenants', index, 'backend', 'namespace'],
            message: crossNamespaceBackendMessage(tenant.name, namespace),
          });
        }
      });
    }
    if (values.clusterIssuer.create && values.clusterIssuer.email === undefined) {
      context.addIssue({ code: 'custom', path: ['clusterIssuer', 'email'], message: MISSING_ACME_EMAIL });
    }
    if (
      values.clusterIssuer.create &&
      values.clusterIssuer.solver === 'http01' &&
      !values.gatewayApi.enabled
    ) {
      context.addIssue({
        code: 'custom',
        path: ['clusterIssuer', 'solver'],
        message: HTTP01_NEEDS_GATEWAY_API,
      });
    }
    if (values.clusterIssuer.create && values.clusterIssuer.solver === 'http01') {
      values.tenants.forEach((tenant, index) => {
        const usesIssuer = (tenant.issuer ?? values.clusterIssuer.name) === values.clusterIssuer.name;
        const wildcard = tenant.hosts.findIndex((name) => name.startsWith('*.'));
        if (usesIssuer && wildcard >= 0) {
          context.addIssue({
            code: 'custom',
            path: ['tenants', index, 'hosts', wildcard],
            message: wildcardHttp01Message(tenant.name),
          });
        }
      });
    }
    if (
      values.certificate.privateKeyAlgorithm === 'Ed25519' &&
      (values.certificate.issuerKind === 'acme' || values.clusterIssuer.create)
    ) {
      context.addIssue({
        code: 'custom',
        path: ['certificate', 'privateKeyAlgorithm'],
        message: ED25519_WITH_ACME,
      });
    }
  });

/** Messages shared with the chart's template `fail`, so both renderers refuse in the same words. */
export function duplicateHostMessage(hostName: string, first: string, second: string): string {
  return `tenants: host ${hostName} is claimed by tenant ${first} and tenant ${second}; each host belongs to exactly one tenant`;
}
export function duplicateTenantMessage(name: string): string {
  return `tenants: tenant name ${name} is used twice; object names derive from it`;
}
/** The Gateway API variant routes within the tenant namespace; another namespace would need a ReferenceGrant there. */
export function crossNamespaceBackendMessage(tenant: string, namespace: string): string {
  return `tenants: tenant ${tenant}: with gatewayApi.enabled the backend must be in the tenant namespace ${namespace} (a cross-namespace backendRef needs a ReferenceGrant)`;
}
/**
 * Istio serves Kubernetes Ingress (cert-manager's default HTTP01 solver) only on its `istio: ingressgateway`
 * pods, and a tenant's Istio Gateway redirects port 80 to HTTPS, so the challenge never reaches a solver.
 */
export const HTTP01_NEEDS_GATEWAY_API =
  "clusterIssuer.solver: http01 needs gatewayApi.enabled: true (cert-manager's gatewayHTTPRoute solver on each tenant's Gateway); with Istio Gateway objects the challenge reaches no solver (Istio serves Ingress only on istio: ingressgateway pods and the tenant's port 80 redirects), so use dns01Route53";
export const ED25519_WITH_ACME = `certificate.privateKeyAlgorithm: Ed25519 is refused with an ACME issuer (Let's Encrypt signs only ${ACME_KEY_ALGORITHMS.join(' and ')} keys; clusterIssuer.create makes one): use ${ACME_KEY_ALGORITHMS.join(' or ')}, or set certificate.issuerKind to the kind of your non-ACME issuer (${ISSUER_KINDS.filter((kind) => kind !== 'acme').join(', ')})`;
/** An ACME CA validates a wildcard name through DNS01 only (RFC 8555 section 7.1.3; Let's Encrypt likewise). */
export function wildcardHttp01Message(tenant: string): string {
  return `tenants: tenant ${tenant} has a wildcard host, which HTTP01 cannot validate (ACME issues wildcard names through DNS01 only): use clusterIssuer.solver dns01Route53, or give the tenant another issuer`;
}
export const MISSING_ACME_EMAIL =
  'clusterIssuer.email: required when clusterIssuer.create is true (the ACME account needs a contact)';

export type TenantValues = z.output<typeof TenantSchema>;
export type TenantGatewaysValues = z.output<typeof TenantGatewaysValuesSchema>;
export type TenantGatewaysValuesInput = z.input<typeof TenantGatewaysValuesSchema>;
