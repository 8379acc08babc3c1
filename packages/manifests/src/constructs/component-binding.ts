import { parseWith, SpecValidationError, SLUICE_CHART_FACTS } from '@sluice/spec';
import type { z } from 'zod';
import { type ChartInfo, type EvalContext, type Expr, literal, releaseNamespace } from '../template/expr.js';
import { HelmNames, type NameOverrides } from '../template/helm-names.js';
import type { TreeObject } from '../template/template-tree.js';
import { literalView, valuesView, type View } from '../template/values-view.js';

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

export interface ComponentBindingOptions<V> {
  /** The values, read through a view: literals after parsing, `.Values` references for the chart. */
  readonly values: View<V>;
  readonly names: HelmNames;
  readonly namespace: Expr<string>;
  /** The whole component is rendered only when this holds. @default always */
  readonly enabled?: Expr<unknown>;
  /** Present for synthesis with known values. @default absent: the trees are kept for the chart generator */
  readonly context?: EvalContext;
}

/** The names and labels every object of one component carries. */
export interface ComponentNames {
  /** `<fullname>-<component>`. */
  readonly name: Expr<string>;
  readonly labels: TreeObject;
  readonly selector: TreeObject;
  /** `{ name, namespace, labels }`, the metadata of most of the component's objects. */
  readonly metadata: TreeObject;
}

/**
 * How a component reads its values. Typed authoring builds one from parsed props (literal views and an
 * evaluation context); the chart generator builds one over `.Values` with no context.
 */
export class ComponentBinding<V> {
  readonly values: View<V>;
  readonly names: HelmNames;
  readonly namespace: Expr<string>;
  readonly enabled?: Expr<unknown>;
  readonly context?: EvalContext;

  constructor(options: ComponentBindingOptions<V>) {
    this.values = options.values;
    this.names = options.names;
    this.namespace = options.namespace;
    this.enabled = options.enabled;
    this.context = options.context;
  }

  /** The name, labels and selector of one component's objects (`agent` → `<fullname>-agent`). */
  component(component: string): ComponentNames {
    const name = this.names.component(component);
    const labels = this.names.labels(component);
    return {
      name,
      labels,
      selector: this.names.selectorLabels(component),
      metadata: { name, namespace: this.namespace, labels },
    };
  }
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

/**
 * One component of the `sluice` chart (its `agent` or `controller` values) bound to typed props: the
 * values parsed with the component's schema, names by the chart's fullname rule, a literal namespace.
 */
export function typedComponentBinding<S extends z.ZodType>(
  props: ReleaseProps,
  options: { readonly schema: S; readonly owner: string },
): ComponentBinding<z.output<S>> {
  const { release, rest } = splitReleaseProps(props);
  const context = releaseContext(release, SLUICE_CHART, options.owner);
  return new ComponentBinding<z.output<S>>({
    values: literalView(parseProps(options.schema, rest, options.owner)),
    names: literalNames(release, 'sluice'),
    namespace: literal(context.release.namespace),
    context,
  });
}

export interface TypedChartOptions<S extends z.ZodType> {
  /** The chart's values schema; the name overrides are among its keys. */
  readonly schema: S;
  readonly chart: ChartInfo;
  /** The construct, named in errors. */
  readonly owner: string;
  /** Prefix of the chart's named templates (`sluice` → `sluice.fullname`). */
  readonly helperPrefix: string;
  /** @default DEFAULT_NAMESPACE */
  readonly defaultNamespace?: string;
}

/**
 * A whole chart's values bound to typed props, with the parsed values (the chart's name overrides are
 * values, so they are parsed with the rest).
 */
export function typedChartBinding<S extends z.ZodType>(
  props: ReleaseProps,
  options: TypedChartOptions<S>,
): { readonly binding: ComponentBinding<z.output<S>>; readonly parsed: z.output<S> } {
  const { release, rest } = splitReleaseProps(props);
  const { owner } = options;
  const namespace = release.namespace ?? options.defaultNamespace;
  const context = releaseContext({ ...release, namespace }, options.chart, owner);
  const overrides = { nameOverride: release.nameOverride, fullnameOverride: release.fullnameOverride };
  const parsed = parseProps(options.schema, { ...rest, ...overrides }, owner);
  const binding = new ComponentBinding<z.output<S>>({
    values: literalView(parsed),
    names: literalNames(release, options.helperPrefix),
    namespace: literal(context.release.namespace),
    context,
  });
  return { binding, parsed };
}

/** A whole chart's values over `.Values`, for the chart generator: installed in the release namespace. */
export function chartValuesBinding<V extends NameOverrides>(helperPrefix: string): ComponentBinding<V> {
  return new ComponentBinding<V>({
    values: valuesView<V>(),
    // The same `.Values` root, seen for its name overrides.
    names: new HelmNames(valuesView<NameOverrides>(), helperPrefix),
    namespace: releaseNamespace,
  });
}

/**
 * The values of a chart whose objects take no names from the release (the CRDs, the tenant gateways):
 * a view, and for synthesis the context.
 */
export interface ValuesBinding<V> {
  readonly view: View<V>;
  /** Present for synthesis with known values. @default absent: the trees are kept for the chart generator */
  readonly context?: EvalContext;
}

/**
 * A `ValuesBinding` from typed props: the values parsed with the chart's schema. The context's `.Values`
 * are the parsed values, as named templates written in Go (duplicate checks) read them.
 */
export function typedValuesBinding<S extends z.ZodType>(
  props: Pick<ReleaseProps, 'release'>,
  options: Pick<TypedChartOptions<S>, 'schema' | 'chart' | 'owner'>,
): ValuesBinding<z.output<S>> {
  const { release, ...rest } = props;
  const { schema, chart, owner } = options;
  const base = releaseContext({ release }, chart, owner);
  const parsed = parseProps(schema, rest, owner);
  return { view: literalView(parsed), context: { ...base, values: parsed } };
}
