import type { TenantValues } from '@sluice/spec';
import { type EvalContext, Expr, type GoScope, includeNamedTemplate } from '../../template/expr.js';

/**
 * Gateway API v1.2's list limits (`maxItems` in httproute_types.go, shared_types.go and gateway_types.go):
 * an HTTPRoute names at most 16 hostnames and 32 parentRefs, a Gateway has at most 64 listeners. The API
 * server refuses an object past them, so a tenant's hosts go into HTTPRoutes of at most 16 each.
 */
export const GATEWAY_API_LIMITS = {
  httpRouteHostnames: 16,
  httpRouteParentRefs: 32,
  gatewayListeners: 64,
} as const;

/** One HTTPRoute's share of a tenant's hosts. */
export interface TenantRouteChunk {
  readonly tenant: TenantValues;
  readonly hosts: readonly string[];
  /** Appended to the route names: "" for the first chunk (the names routes had before chunking), ".2", ".3"… after. */
  readonly suffix: string;
}

const SIZE = GATEWAY_API_LIMITS.httpRouteHostnames;

/**
 * Go builds the same list with Sprig's `chunk` and hands it over as JSON; numbers come back as float64,
 * which print the same for the ports they hold. The dot in the suffix keeps chunk names apart from every
 * tenant name (DNS labels have no dots).
 */
const GO_BODY = [
  '{{- $out := list -}}',
  '{{- range $tenant := .Values.tenants -}}',
  `{{- range $index, $hosts := chunk ${SIZE} $tenant.hosts -}}`,
  '{{- $out = append $out (dict "tenant" $tenant "hosts" $hosts "suffix" (ternary "" (printf ".%d" (add1 $index)) (eq $index 0))) -}}',
  '{{- end -}}',
  '{{- end -}}',
  '{{- toJson $out -}}',
].join('');

export function routeChunksOf(tenants: readonly TenantValues[]): TenantRouteChunk[] {
  return tenants.flatMap((tenant) =>
    Array.from({ length: Math.ceil(tenant.hosts.length / SIZE) }, (_, index) => ({
      tenant,
      hosts: tenant.hosts.slice(index * SIZE, (index + 1) * SIZE),
      suffix: index === 0 ? '' : `.${index + 1}`,
    })),
  );
}

class TenantRouteChunksExpr extends Expr<readonly TenantRouteChunk[]> {
  evaluate(context: EvalContext): readonly TenantRouteChunk[] {
    return routeChunksOf((context.values as { tenants?: TenantValues[] }).tenants ?? []);
  }
  toGo(scope: GoScope): string {
    const call = includeNamedTemplate(scope, { name: 'tenant-gateways.routeChunks', body: GO_BODY });
    return `(fromJsonArray ${call})`;
  }
}

/** Every tenant's hosts in chunks of at most 16, tenant by tenant: one HTTPRoute (and one redirect) per chunk. */
export function tenantRouteChunks(): Expr<readonly TenantRouteChunk[]> {
  return new TenantRouteChunksExpr();
}
