import {
  chartAppVersion,
  chartName,
  concat,
  contains,
  defaultTo,
  type Expr,
  include,
  releaseName,
  ternary,
  trimSuffix,
  truncate,
} from './expr.js';
import type { View } from './values-view.js';

/** The values every conventional chart reads for names. */
export interface NameOverrides {
  readonly nameOverride?: string;
  readonly fullnameOverride?: string;
}

/** Kubernetes caps names that become DNS labels (Services) at 63 characters. */
export const DNS_LABEL_MAX = 63;

/**
 * Names and labels by Helm's fullname rule, the same rule `helm create` scaffolds: `<release>-<chart>`,
 * or just `<release>` when the release name already contains the chart name, cut to 63 characters.
 * Release `sluice` of chart `sluice` therefore gives `sluice`, and its components `sluice-agent` and
 * `sluice-controller`.
 *
 * @see https://helm.sh/docs/chart_best_practices/templates/#names-of-defined-templates
 */
export class HelmNames {
  /** `nameOverride` or the chart name. */
  readonly name: Expr<string>;
  readonly fullname: Expr<string>;

  constructor(
    overrides: View<NameOverrides>,
    /** Prefix of named templates (`sluice` → `sluice.fullname`). */
    readonly helperPrefix: string,
  ) {
    this.name = include(`${helperPrefix}.name`, defaultTo(overrides.nameOverride.$, chartName));
    const derived = ternary(
      contains(this.name, releaseName),
      releaseName,
      concat(releaseName, '-', this.name),
    );
    this.fullname = include(
      `${helperPrefix}.fullname`,
      trimSuffix(truncate(defaultTo(overrides.fullnameOverride.$, derived), DNS_LABEL_MAX), '-'),
    );
  }

  /**
   * `<fullname>-<component>`, at most 63 characters: the name of every object of that component. The
   * fullname is cut to leave room for the suffix, not the joined name, so the suffix always survives and
   * two components never end up with the same name.
   */
  component(component: string): Expr<string> {
    const suffix = `-${component}`;
    return include(
      `${this.helperPrefix}.${component}.fullname`,
      concat(trimSuffix(truncate(this.fullname, DNS_LABEL_MAX - suffix.length), '-'), suffix),
    );
  }

  /**
   * Selector labels: the component's name and the release. They never change after install (selectors
   * are immutable) and two releases never share them.
   */
  selectorLabels(component: string): { readonly [key: string]: Expr<string> } {
    return {
      'app.kubernetes.io/name': concat(this.name, `-${component}`),
      'app.kubernetes.io/instance': releaseName,
    };
  }

  /** Selector labels plus the descriptive ones. */
  labels(component: string): { readonly [key: string]: Expr<string> | string } {
    return {
      ...this.selectorLabels(component),
      'app.kubernetes.io/component': component,
      'app.kubernetes.io/part-of': 'sluice',
      'app.kubernetes.io/version': chartAppVersion,
    };
  }
}
