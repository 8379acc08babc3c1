import {
  ED25519_WITH_ACME,
  HTTP01_NEEDS_GATEWAY_API,
  SLUICE_CHART_FACTS,
  type TenantGatewaysValues,
  TenantGatewaysValuesSchema,
  type TenantGatewaysValuesInput,
  type TenantValues,
} from '@sluice/spec';
import { Construct } from 'constructs';
import { and, eq, type Expr, not, or } from '../../template/expr.js';
import { passUnless } from '../../template/chart-guards.js';
import type { TreeObject } from '../../template/template-tree.js';
import { valuesView, type View } from '../../template/values-view.js';
import { type ReleaseProps, typedValuesBinding, type ValuesBinding } from '../component-binding.js';
import { addSluiceObjects, type SluiceObject } from '../sluice-object.js';
import { tenantClusterIssuer } from './tenant-cluster-issuer.js';
import {
  http01Solver,
  tenantApiGateway,
  tenantApiRedirect,
  tenantApiRoute,
} from './tenant-gateway-api-objects.js';
import { firstTenantDuplicate } from './tenant-guards.js';
import { tenantCertificate, tenantIstioGateway, tenantVirtualService } from './tenant-istio-objects.js';
import { type TenantScope, tenantScope } from './tenant-names.js';
import { type TenantRouteChunk, tenantRouteChunks } from './tenant-route-chunks.js';

const SOURCE = 'packages/manifests/src/constructs/tenants/tenant-gateways.ts';

export const TENANT_GATEWAYS_CHART = { name: 'tenant-gateways', ...SLUICE_CHART_FACTS } as const;

/** Props of a typed `TenantGateways`: the chart's values. Objects live in each tenant's namespace, so only the release is needed. */
export interface TenantGatewaysProps
  extends Readonly<TenantGatewaysValuesInput>, Pick<ReleaseProps, 'release'> {}

/** One object per tenant: a `range` over `tenants` in the chart, one ApiObject per tenant in synthesis. */
function perTenant(view: View<TenantGatewaysValues>, build: (tenant: TenantScope) => TreeObject) {
  return {
    forEach: view.tenants.$,
    build: (tenant: Expr<TenantValues>) => build(tenantScope(tenant, view)),
  };
}

/** One object per chunk of at most 16 of a tenant's hosts (HTTPRoute `hostnames` allows 16). */
function perRouteChunk(
  view: View<TenantGatewaysValues>,
  build: (tenant: TenantScope, chunk: Expr<TenantRouteChunk>) => TreeObject,
) {
  return {
    forEach: tenantRouteChunks(),
    build: (chunk: Expr<TenantRouteChunk>) => build(tenantScope(chunk.field('tenant'), view), chunk),
  };
}

/**
 * Refusals that depend on several values at once, checked by both renderers whatever the tenants: the
 * schema's refinements, repeated in the chart in the same words.
 */
function crossValueRefusals(view: View<TenantGatewaysValues>): Expr<unknown> {
  const duplicate = firstTenantDuplicate();
  const issuer = view.clusterIssuer;
  const certificate = view.certificate;
  return and(
    passUnless(duplicate, duplicate),
    passUnless(and(http01Solver(view), not(view.gatewayApi.enabled.$)), HTTP01_NEEDS_GATEWAY_API),
    passUnless(
      and(
        eq(certificate.privateKeyAlgorithm.$, 'Ed25519'),
        or(eq(certificate.issuerKind.$, 'acme'), issuer.create.$),
      ),
      ED25519_WITH_ACME,
    ),
  );
}

/**
 * One ingress gateway per tenant, each with its own certificate (peers.md §6): a cert-manager Certificate
 * in the tenant's gateway namespace (the Secret must sit beside the gateway workload), an Istio Gateway
 * (HTTPS SIMPLE with credentialName, HTTP redirected to HTTPS) and a VirtualService to the backend; or the
 * Gateway API variant (a Gateway with two listeners, HTTPRoutes of at most 16 hosts each). Optionally a
 * Let's Encrypt ClusterIssuer (DNS01 Route53, or HTTP01 through each tenant's Gateway in Gateway API mode).
 * Duplicate hosts or tenant names, HTTP01 with Istio Gateway objects and Ed25519 with an ACME issuer are
 * refused by both renderers.
 */
export class TenantGateways extends Construct {
  readonly objects: readonly SluiceObject[];

  static forChart(scope: Construct, id: string): TenantGateways {
    return new TenantGateways(scope, id, { view: valuesView<TenantGatewaysValues>() });
  }

  constructor(
    scope: Construct,
    id: string,
    props: TenantGatewaysProps | ValuesBinding<TenantGatewaysValues> = {},
  ) {
    super(scope, id);
    const { view, context } =
      'view' in props
        ? props
        : typedValuesBinding(props, {
            schema: TenantGatewaysValuesSchema,
            chart: TENANT_GATEWAYS_CHART,
            owner: 'TenantGateways',
          });
    const gatewayApi = view.gatewayApi.enabled.$;
    this.objects = addSluiceObjects(this, {
      source: SOURCE,
      context,
      objects: [
        // Checked once for the whole list (the object's `when`), not once per tenant: the duplicate check walks
        // every tenant, so per tenant it made synthesis and `helm template` quadratic in tenants.
        {
          id: 'Certificates',
          file: 'certificates.yaml',
          when: crossValueRefusals(view),
          ...perTenant(view, tenantCertificate),
        },
        {
          id: 'IstioGateways',
          file: 'istio-gateways.yaml',
          when: not(gatewayApi),
          ...perTenant(view, tenantIstioGateway),
        },
        {
          id: 'VirtualServices',
          file: 'virtual-services.yaml',
          when: not(gatewayApi),
          ...perTenant(view, tenantVirtualService),
        },
        {
          id: 'GatewayApiGateways',
          file: 'gateway-api-gateways.yaml',
          when: gatewayApi,
          ...perTenant(view, tenantApiGateway),
        },
        {
          id: 'GatewayApiRoutes',
          file: 'gateway-api-httproutes.yaml',
          when: gatewayApi,
          ...perRouteChunk(view, tenantApiRoute),
        },
        {
          id: 'GatewayApiRedirects',
          file: 'gateway-api-redirects.yaml',
          when: and(gatewayApi, view.httpsRedirect.$),
          ...perRouteChunk(view, tenantApiRedirect),
        },
        {
          id: 'ClusterIssuer',
          file: 'cluster-issuer.yaml',
          when: view.clusterIssuer.create.$,
          tree: tenantClusterIssuer(view),
        },
      ],
    });
  }
}
