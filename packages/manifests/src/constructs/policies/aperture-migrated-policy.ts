import {
  convertApertureValuesFile,
  type ApertureWarning,
  type FlowPolicyInput,
  SpecValidationError,
} from '@sluice/spec';
import { Construct } from 'constructs';
import { DEFAULT_POLICY_NAMESPACE, FlowPolicyResource } from './flow-policy-resource.js';
import { checkPropKeys, type PropKeys } from './policy-prop-keys.js';

export interface ApertureMigratedPolicyProps {
  /**
   * Aperture blueprint name, e.g. `load-scheduling/average-latency`. Optional when the values name it
   * (aperturectl writes a top-level `blueprint:`); when both do, they must match.
   */
  readonly blueprint?: string;
  /** The parsed Aperture values document (what `aperturectl blueprints values` wrote). */
  readonly values: unknown;
  /** Namespace of the FlowPolicy. @default 'sluice-system' */
  readonly namespace?: string;
  /**
   * Aperture's rate limits are global, so they become `backend: redis`; `local` opts into per-agent
   * buckets (listed in `warnings`). @default 'redis'
   */
  readonly rateLimitBackend?: 'redis' | 'local';
}

/** The Aperture values are checked by the converter, which refuses what it does not know. */
const APERTURE_MIGRATED_POLICY_KEYS: PropKeys<ApertureMigratedPolicyProps> = {
  blueprint: true,
  values: true,
  namespace: true,
  rateLimitBackend: true,
};

/**
 * A FlowPolicy converted from an Aperture blueprint values file with `convertApertureValuesFile` from
 * `@sluice/spec`. What Sluice cannot honour is refused with its path, never dropped; what it accepts
 * without carrying over (alerters, ...) is listed in `warnings`.
 *
 * @throws SpecValidationError listing every refused key.
 */
export class ApertureMigratedPolicy extends Construct {
  readonly policy: FlowPolicyInput;
  readonly warnings: readonly ApertureWarning[];

  constructor(scope: Construct, id: string, props: ApertureMigratedPolicyProps) {
    super(scope, id);
    checkPropKeys(`ApertureMigratedPolicy ${id}`, props, APERTURE_MIGRATED_POLICY_KEYS);
    const converted = convertApertureValuesFile(props.values, props.blueprint, {
      rateLimitBackend: props.rateLimitBackend ?? 'redis',
    });
    if (!converted.ok)
      throw new SpecValidationError(
        `Aperture values for ${props.blueprint ?? 'its blueprint'}`,
        converted.issues,
      );
    this.warnings = converted.warnings;
    const policy = {
      ...converted.value,
      metadata: { ...converted.value.metadata, namespace: props.namespace ?? DEFAULT_POLICY_NAMESPACE },
    };
    this.policy = new FlowPolicyResource(this, 'FlowPolicy', policy).policy;
  }
}
