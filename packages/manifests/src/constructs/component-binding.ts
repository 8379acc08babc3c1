import { parseWith, SpecValidationError, SLUICE_CHART_FACTS } from '@sluice/spec';
import type { z } from 'zod';
import type { ChartInfo, EvalContext, Expr } from '../template/expr.js';
import { HelmNames, type NameOverrides } from '../template/helm-names.js';
import { literalView, type View } from '../template/values-view.js';

/** Where the objects of a typed (non-Helm) synthesis are installed and how they are named. */
export interface ReleaseProps extends NameOverrides {
  /** Release name the object names derive from, as `helm install <release>` would. @default 'sluice' */
  readonly release?: string;
  /** Namespace of every namespaced object. @default 'sluice-system' */
  readonly namespace?: string;
}

export const DEFAULT_RELEASE = 'sluice';
export const DEFAULT_NAMESPACE = 'sluice-system';

/** The `sluice` chart, as `.Chart` shows it to templates. */
export const SLUICE_CHART: ChartInfo = { name: 'sluice', ...SLUICE_CHART_FACTS };

/** Helm's own rule for release names: a DNS-1123 label of at most 53 characters. */
const RELEASE_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * How a component reads its values. Typed authoring builds one from parsed props (literal views and an
 * evaluation context); the chart generator builds one over `.Values` with no context.
 */
export class ComponentBinding<V> {
  constructor(
    readonly values: View<V>,
    readonly names: HelmNames,
    readonly namespace: Expr<string>,
    /** The whole component is rendered only when this holds. @default always */
    readonly enabled?: Expr<unknown>,
    /** Present for synthesis with known values. */
    readonly context?: EvalContext,
  ) {}
}

/** Validates release props, naming the prop and the rule, and returns the evaluation context they imply. */
export function releaseContext(props: ReleaseProps, chart: ChartInfo, owner: string): EvalContext {
  const release = props.release ?? DEFAULT_RELEASE;
  const namespace = props.namespace ?? DEFAULT_NAMESPACE;
  if (!RELEASE_PATTERN.test(release) || release.length > 53) {
    throw new Error(
      `${owner}: release ${JSON.stringify(release)} is not allowed; Helm requires a DNS-1123 label of at most 53 characters`,
    );
  }
  if (!RELEASE_PATTERN.test(namespace) || namespace.length > 63) {
    throw new Error(
      `${owner}: namespace ${JSON.stringify(namespace)} is not allowed; use a DNS-1123 label of at most 63 characters`,
    );
  }
  return {
    values: { nameOverride: props.nameOverride, fullnameOverride: props.fullnameOverride },
    release: { name: release, namespace },
    chart,
    locals: new Map(),
  };
}

/** Parses construct props with the zod schema from `@sluice/spec`; errors name every bad key. */
export function parseProps<S extends z.ZodType>(schema: S, input: unknown, owner: string): z.output<S> {
  const result = parseWith(schema, input);
  if (!result.ok) throw new SpecValidationError(owner, result.issues);
  return result.value;
}

/** Names for typed synthesis: the same fullname rule, evaluated over the given overrides. */
export function literalNames(props: NameOverrides, helperPrefix: string): HelmNames {
  return new HelmNames(
    literalView<NameOverrides>({
      nameOverride: props.nameOverride,
      fullnameOverride: props.fullnameOverride,
    }),
    helperPrefix,
  );
}

/** Splits release props from component props. */
export function splitReleaseProps<P extends ReleaseProps>(
  props: P,
): { release: ReleaseProps; rest: Omit<P, keyof ReleaseProps> } {
  const { release, namespace, nameOverride, fullnameOverride, ...rest } = props;
  return { release: { release, namespace, nameOverride, fullnameOverride }, rest };
}
