import {
  SLUICE_CHART_FACTS,
  type TenantGatewaysValues,
  TenantGatewaysValuesSchema,
  type TenantGatewaysValuesInput,
  type TenantValues,
} from '@sluice/spec';
import { Construct } from 'constructs';
import { and, type Expr, not } from '../../template/expr.js';
import { passUnless } from '../../template/chart-guards.js';
import type { TreeObject } from '../../template/template-tree.js';
import { valuesView, type View } from '../../template/values-view.js';
import { type ReleaseProps, typedValuesBinding, type ValuesBinding } from '../component-binding.js';
import { addSluiceObjects, type SluiceObject } from '../sluice-object.js';
import { tenantClusterIssuer } from './tenant-cluster-issuer.js';
import { tenantApiGateway, tenantApiRedirect, tenantApiRoute } from './tenant-gateway-api-objects.js';
import { firstTenantDuplicate } from './tenant-guards.js';
import { tenantCertificate, tenantIstioGateway, tenantVirtualService } from './tenant-istio-objects.js';
import { type TenantScope, tenantScope } from './tenant-names.js';

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
    const duplicate = firstTenantDuplicate();
    this.objects = addSluiceObjects(this, {
      source: SOURCE,
      context,
      objects: [
        // Checked once for the whole list (the object's `when`), not once per tenant: the check walks every
        // tenant, so per tenant it made synthesis and `helm template` quadratic in tenants.
        {
          id: 'Certificates',
          file: 'certificates.yaml',
          when: passUnless(duplicate, duplicate),
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
          ...perTenant(view, tenantApiRoute),
        },
        {
          id: 'GatewayApiRedirects',
          file: 'gateway-api-redirects.yaml',
          when: and(gatewayApi, view.httpsRedirect.$),
          ...perTenant(view, tenantApiRedirect),
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
