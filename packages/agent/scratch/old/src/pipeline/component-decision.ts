/** Identity of a compiled component across agent, controller and metrics. */
export interface ComponentIdentity {
  readonly policyName: string;
  readonly policyHash: string;
  readonly componentId: string;
}

/** Why a component decided as it did. */
export type DecisionReason =
  | 'tokens-available'
  | 'rate-limited'
  | 'label-missing'
  | 'pass-through'
  | 'bootstrapping'
  | 'zero-tokens'
  | 'queued-then-admitted'
  | 'queue-timeout'
  | 'no-fill'
  | 'failed-open';

/** One component's verdict on one flow. */
export interface ComponentDecision {
  readonly identity: ComponentIdentity;
  readonly kind: 'rate-limiter' | 'load-scheduler';
  /** The component's own verdict (for a dry-run component, what it would have done). */
  readonly admitted: boolean;
  /** False for dry-run components: their rejection is counted but never enforced. */
  readonly enforced: boolean;
  readonly reason: DecisionReason;
  /** HTTP status Envoy returns when this component's rejection is enforced. */
  readonly deniedStatusCode: number;
  /** Rate limiters: ms until the bucket can serve the flow (becomes `retry-after`). */
  readonly waitMs?: number;
  /** Load schedulers: the workload the flow fell into. */
  readonly workload?: string;
  readonly tokens: number;
  /** Rate limiters: which backend decided (redis, local, or the local fallback for a failed Redis call). */
  readonly source?: 'local' | 'redis' | 'fallback';
  /** Time the flow waited in this component's queue. */
  readonly queuedMs: number;
  /** Returns the tokens this component took; called when a later stage rejects the flow. */
  readonly giveBack?: () => void;
}
