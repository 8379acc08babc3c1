import type { TenantGatewaysValues, TenantValues } from '@sluice/spec';
import { chartAppVersion, concat, defaultTo, type Expr, releaseName } from '../../template/expr.js';
import type { TreeObject } from '../../template/template-tree.js';
import type { View } from '../../template/values-view.js';

/** Labels of the chart's objects of one component (`tenant-gateway`, `cluster-issuer`). */
export function tenantGatewaysLabels(component: string): TreeObject {
  return {
    'app.kubernetes.io/name': `tenant-gateways-${component}`,
    'app.kubernetes.io/instance': releaseName,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'sluice',
    'app.kubernetes.io/version': chartAppVersion,
  };
}

/** Per-tenant names, all derived from the tenant name so they never move when other tenants come and go. */
export class TenantNames {
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

/** One tenant as its objects see it: a list item of `tenants`, its names, and the chart's values. */
export interface TenantScope {
  readonly tenant: Expr<TenantValues>;
  readonly names: TenantNames;
  readonly view: View<TenantGatewaysValues>;
  /** The tenant-gateway labels plus `sluice.dev/tenant`. */
  readonly labels: TreeObject;
}

export function tenantScope(tenant: Expr<TenantValues>, view: View<TenantGatewaysValues>): TenantScope {
  const names = new TenantNames(tenant, view.clusterDomain.$);
  return {
    tenant,
    names,
    view,
    labels: { ...tenantGatewaysLabels('tenant-gateway'), 'sluice.dev/tenant': names.name },
  };
}
