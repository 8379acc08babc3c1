/**
 * What istiod does with CUSTOM AuthorizationPolicies, reproduced because istiod cannot run here. Facts from
 * istio/istio `pilot/pkg/security/authz/builder` (builder.go, extauthz.go), restated:
 *
 * - A policy applies to a workload when it is in the workload's namespace or the root namespace and its
 *   selector matches the pod labels (no selector: every workload in scope).
 * - Before 1.30 (and from 1.30 with PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS off), all CUSTOM policies of
 *   a workload must name one provider, and it must resolve (present in meshConfig, its service found);
 *   otherwise istiod logs "will generate deny configs" and the rules of every CUSTOM policy on the workload
 *   become RBAC deny rules. `rules: [{}]` matches every request.
 * - With multiple providers enabled (istio#58082), providers are resolved one by one; an unresolved one turns
 *   only its own policies' rules into deny rules.
 */
export interface CustomPolicy {
  readonly namespace: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly provider: string;
}

export interface MeshWorkload {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface IstiodOptions {
  readonly rootNamespace: string;
  /** Providers in meshConfig.extensionProviders whose service istiod finds. */
  readonly resolvedProviders: readonly string[];
  readonly multipleCustomProviders: boolean;
}

/** What a workload's sidecar does with a request that matches its CUSTOM policies. */
export type CustomVerdict =
  | { readonly kind: 'untouched' }
  | { readonly kind: 'denied-all' }
  | {
      readonly kind: 'ext-authz';
      readonly providers: readonly string[];
      readonly deniedByBrokenProvider: boolean;
    };

function applies(policy: CustomPolicy, workload: MeshWorkload, rootNamespace: string): boolean {
  if (policy.namespace !== workload.namespace && policy.namespace !== rootNamespace) return false;
  return Object.entries(policy.selector ?? {}).every(([key, value]) => workload.labels[key] === value);
}

export function customVerdict(
  policies: readonly CustomPolicy[],
  workload: MeshWorkload,
  options: IstiodOptions,
): CustomVerdict {
  const matching = policies.filter((policy) => applies(policy, workload, options.rootNamespace));
  if (matching.length === 0) return { kind: 'untouched' };
  const providers = [...new Set(matching.map((policy) => policy.provider))].sort();
  const resolved = (provider: string) => options.resolvedProviders.includes(provider);
  if (!options.multipleCustomProviders) {
    if (providers.length > 1 || !resolved(providers[0] ?? '')) return { kind: 'denied-all' };
    return { kind: 'ext-authz', providers, deniedByBrokenProvider: false };
  }
  const working = providers.filter(resolved);
  // Every policy here has rules [{}] or rules of its own; a broken provider's rules deny what they match.
  return { kind: 'ext-authz', providers: working, deniedByBrokenProvider: working.length < providers.length };
}
