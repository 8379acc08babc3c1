import type { EvalContext, Expr } from '../../template/expr.js';
import { helper } from '../../template/chart-guards.js';
import { duplicateHostMessage, duplicateTenantMessage } from '@sluice/spec';

/**
 * The first duplicate among tenants (a tenant name used twice, or a host claimed by two tenants), as the
 * refusal message, or "" when there is none. A schema cannot compare list items across tenants, so the
 * chart computes it with a `dict` of seen keys and the construct with a Map, in the same order.
 */
const GO_BODY = [
  '{{- $names := dict -}}{{- $hosts := dict -}}{{- $out := "" -}}',
  '{{- range $tenant := .Values.tenants -}}',
  `{{- if and (not $out) (hasKey $names $tenant.name) -}}{{- $out = printf ${JSON.stringify(duplicateTenantMessage('%s'))} $tenant.name -}}{{- end -}}`,
  '{{- $_ := set $names $tenant.name true -}}',
  '{{- range $host := $tenant.hosts -}}',
  `{{- if and (not $out) (hasKey $hosts $host) -}}{{- $out = printf ${JSON.stringify(duplicateHostMessage('%s', '%s', '%s'))} $host (get $hosts $host) $tenant.name -}}{{- end -}}`,
  '{{- $_ := set $hosts $host $tenant.name -}}',
  '{{- end -}}',
  '{{- end -}}',
  '{{- $out -}}',
].join('');

function firstDuplicate(context: EvalContext): string {
  const tenants = (context.values as { tenants?: { name: string; hosts?: string[] }[] }).tenants ?? [];
  const names = new Set<string>();
  const hosts = new Map<string, string>();
  for (const tenant of tenants) {
    if (names.has(tenant.name)) return duplicateTenantMessage(tenant.name);
    names.add(tenant.name);
    for (const host of tenant.hosts ?? []) {
      const owner = hosts.get(host);
      if (owner !== undefined) return duplicateHostMessage(host, owner, tenant.name);
      hosts.set(host, tenant.name);
    }
  }
  return '';
}

export function firstTenantDuplicate(): Expr<string> {
  return helper('tenant-gateways.firstDuplicate', GO_BODY, firstDuplicate);
}
