import type { PolicyEntry } from '../policies/policy-registry.js';

/** A Kubernetes condition, as Argo CD and Flux read them for health. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number;
  readonly lastTransitionTime: string;
}

/** Condition messages are capped: the status of an object should not grow without bound. */
const MAX_MESSAGE_LENGTH = 4000;

/**
 * The `status` written for a FlowPolicy after the controller processed `generation`: a Ready
 * condition (True/Valid, or False/Invalid with the path-precise issues) and observedGeneration.
 * lastTransitionTime only moves when Ready's status flips, per the Kubernetes API conventions.
 */
export function policyStatus(options: {
  entry: PolicyEntry;
  generation: number;
  previous: readonly Condition[] | undefined;
  nowIso: string;
}) {
  const { entry, generation } = options;
  const valid = entry.status === 'Valid';
  const status = valid ? 'True' : 'False';
  const previousReady = options.previous?.find((condition) => condition.type === 'Ready');
  const message = valid ? `compiled; policy hash ${entry.hash ?? ''}` : entry.message;
  const ready: Condition = {
    type: 'Ready',
    status,
    reason: valid ? 'Valid' : 'Invalid',
    message: message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message,
    observedGeneration: generation,
    lastTransitionTime: previousReady?.status === status ? previousReady.lastTransitionTime : options.nowIso,
  };
  return {
    observedGeneration: generation,
    policyHash: entry.hash ?? null,
    runningPolicyHash: entry.running?.policyHash ?? null,
    conditions: [ready],
  };
}
