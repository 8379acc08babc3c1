import type { FlowPolicySpecInput } from '@sluice/spec';
import { checkPropKeys, type PropKeys } from './policy-prop-keys.js';

/** One classifier of a FlowPolicy, in its input form. */
export type ClassifierInput = NonNullable<FlowPolicySpecInput['classifiers']>[number];

export interface HeaderClassifierOptions {
  /** Service FQDN whose flows are classified, e.g. `service1-demo-app.demoapp.svc.cluster.local`. */
  readonly service: string;
  /** Control point, as the istioconfig names it. @default 'ingress' */
  readonly controlPoint?: string;
  /**
   * Flow label → request header it is read from, e.g. `{ 'user-type': 'user-type' }`. A credential header
   * (Authorization, Cookie) only reaches the agent when the istioconfig sends credential headers.
   */
  readonly labels: Readonly<Record<string, string>>;
}

const HEADER_CLASSIFIER_KEYS: PropKeys<HeaderClassifierOptions> = {
  service: true,
  controlPoint: true,
  labels: true,
};

/** A classifier that copies request headers into flow labels, the usual way to tell workloads apart. */
export function headerClassifier(options: HeaderClassifierOptions): ClassifierInput {
  checkPropKeys('headerClassifier', options, HEADER_CLASSIFIER_KEYS);
  const entries = Object.entries(options.labels);
  if (entries.length === 0)
    throw new Error('headerClassifier: labels is empty; name at least one flow label and its header');
  return {
    selectors: [{ controlPoint: options.controlPoint ?? 'ingress', service: options.service }],
    rules: Object.fromEntries(entries.map(([label, header]) => [label, { header }])),
  };
}
