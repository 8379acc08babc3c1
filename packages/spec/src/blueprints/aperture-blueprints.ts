import { didYouMean } from '../closest-name.js';
import type { SpecIssue } from '../spec-issues.js';
import { BLUEPRINT_NAMES, type BlueprintName } from './sluice-blueprints.js';

/**
 * Every blueprint Aperture ships (its repository's `blueprints/` tree), so an Aperture file for one
 * Sluice does not convert is named as such rather than called "not a blueprint".
 */
export const APERTURE_BLUEPRINT_NAMES = [
  'auto-scaling/pod-auto-scaler',
  'concurrency-limiting/base',
  'concurrency-scheduling/base',
  'load-ramping/base',
  'load-scheduling/average-latency',
  'load-scheduling/cpu-overload-protection-k8s',
  'load-scheduling/elasticsearch',
  'load-scheduling/java-gc-generic',
  'load-scheduling/java-gc-k8s',
  'load-scheduling/postgresql',
  'load-scheduling/promql',
  'quota-scheduling/base',
  'rate-limiting/base',
] as const;

export function isSupportedBlueprint(name: string): name is BlueprintName {
  return (BLUEPRINT_NAMES as readonly string[]).includes(name);
}

/** The issue for a blueprint name Sluice cannot convert: Aperture's but unsupported, or unknown to both. */
export function unsupportedBlueprintIssue(name: string, path: string): SpecIssue {
  const supported = `supported: ${BLUEPRINT_NAMES.join(', ')}`;
  const known = (APERTURE_BLUEPRINT_NAMES as readonly string[]).includes(name);
  return {
    path,
    value: JSON.stringify(name),
    allowed: known
      ? `an Aperture blueprint Sluice does not support; ${supported}`
      : `not a blueprint Sluice or Aperture knows${didYouMean(name, APERTURE_BLUEPRINT_NAMES)}; ${supported}`,
  };
}

/**
 * The blueprint to convert a values file with: the one the file names (aperturectl writes a top-level
 * `blueprint:`), the one asked for, or both when they agree.
 */
export function resolveApertureBlueprint(
  document: unknown,
  requested: string | undefined,
): { ok: true; value: BlueprintName } | { ok: false; issues: SpecIssue[] } {
  const named =
    document !== null && typeof document === 'object'
      ? (document as Record<string, unknown>)['blueprint']
      : undefined;
  if (named !== undefined && typeof named !== 'string') {
    return {
      ok: false,
      issues: [{ path: 'blueprint', value: JSON.stringify(named), allowed: 'must be a blueprint name' }],
    };
  }
  if (named !== undefined && requested !== undefined && named !== requested) {
    return {
      ok: false,
      issues: [
        {
          path: 'blueprint',
          value: JSON.stringify(named),
          allowed: `the file names blueprint "${named}" but "${requested}" was asked for; they must match`,
        },
      ],
    };
  }
  const name = named ?? requested;
  if (name === undefined) {
    return {
      ok: false,
      issues: [
        {
          path: 'blueprint',
          value: '<missing>',
          allowed: `name the blueprint (in the file or when asking); supported: ${BLUEPRINT_NAMES.join(', ')}`,
        },
      ],
    };
  }
  if (!isSupportedBlueprint(name)) {
    return { ok: false, issues: [unsupportedBlueprintIssue(name, 'blueprint')] };
  }
  return { ok: true, value: name };
}
