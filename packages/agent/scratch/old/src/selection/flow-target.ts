import type { CompiledComponent, LabelMatcher } from '@sluice/spec';
import { matchesLabels } from './label-matcher.js';

/** Where a flow is: the agent evaluates selectors against this. */
export interface FlowTarget {
  readonly controlPoint: string;
  /**
   * Services the flow belongs to. Without Kubernetes discovery the agent knows the destination
   * Peer's `service` (Envoy's downstream cluster) and the request host without its port.
   */
  readonly services: readonly string[];
  readonly agentGroup: string;
}

type Selector = CompiledComponent['selectors'][number];

/** The wildcard service: a selector for it applies to every service. */
export const ANY_SERVICE = 'any';

/** True when the selector's control point, service and agent group fit the flow (labels checked separately). */
export function selectorTargets(selector: Selector, target: FlowTarget): boolean {
  if (selector.controlPoint !== target.controlPoint) return false;
  if (selector.agentGroup !== target.agentGroup) return false;
  return selector.service === ANY_SERVICE || target.services.includes(selector.service);
}

/** True when any of the component's selectors applies to the flow, label matcher included. */
export function componentSelects(
  selectors: readonly Selector[],
  target: FlowTarget,
  labels: Readonly<Record<string, string>>,
): boolean {
  return selectors.some(
    (selector) =>
      selectorTargets(selector, target) &&
      matchesLabels(selector.labelMatcher as LabelMatcher | undefined, labels),
  );
}

/** Service names of a flow: Envoy's destination service (when set) and the host without its port. */
export function flowServices(destinationService: string, host: string): string[] {
  const services: string[] = [];
  if (destinationService !== '') services.push(destinationService);
  const bareHost = host.replace(/:[0-9]+$/, '');
  if (bareHost !== '' && !services.includes(bareHost)) services.push(bareHost);
  return services;
}
