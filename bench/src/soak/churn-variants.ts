/**
 * The policy versions the soak alternates between. All three are the same FlowPolicy (one name), so
 * each push replaces the running version: the agent sees a new hash and rebuilds every component,
 * dropping the old rate-limiter buckets, scheduler queues and metrics label sets. They differ where a
 * leak on replacement would hide: classifier rules (label names and sources), rate-limiter limits and
 * keys, scheduler workloads, and the load decision (pass-through, or a load multiplier that queues
 * and rejects). Compiled with the controller's own compile. Pure.
 */
import { compileFlowPolicy, type CompiledPolicy, type syncV1 } from '@sluice/spec';
import type { AgentState } from '../decision-path/agent-sync-stub.js';
import {
  BENCH_CONTROL_POINT,
  BENCH_MAX_QUEUE_TIMEOUT,
  BENCH_POLICY_NAME,
  BENCH_SCHEDULER,
  benchFlowPolicy,
} from '../decision-path/bench-policy.js';

export interface ChurnVariant {
  /** `a`, `b`, `c`: for logs and the JSON. */
  readonly name: string;
  /** What differs, for the README and the log. */
  readonly summary: string;
  readonly policy: CompiledPolicy;
  /** The scheduler's decision sent with this version: pass-through or a load multiplier. */
  readonly decision: { readonly passThrough: true } | { readonly loadMultiplier: number };
  /** Flow-label names a Check classified by this version carries (to prove it is the one running). */
  readonly labelKeys: readonly string[];
}

const SELECTORS = [{ controlPoint: BENCH_CONTROL_POINT, service: 'any' }];

/**
 * B: one more label from the path, a per-user limit of 1,500/s (the soak's single user is over it at
 * any rate above that, so the limiter rejects), three workloads with a queue timeout, LM 0.7.
 */
function tightFlowPolicy(): unknown {
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'FlowPolicy',
    metadata: { name: BENCH_POLICY_NAME },
    spec: {
      classifiers: [
        {
          selectors: SELECTORS,
          rules: {
            'user-type': { header: 'user-type' },
            'user-id': { header: 'user-id' },
            resource: { pathTemplate: '/api/{resource}' },
          },
        },
      ],
      fluxMeters: [{ name: 'bench-latency', selectors: SELECTORS }],
      rateLimiters: [
        {
          name: 'per-user',
          selectors: SELECTORS,
          bucketCapacity: 500,
          fillAmount: 1_500,
          interval: '1s',
          limitByLabelKey: 'user-id',
          continuousFill: true,
        },
      ],
      loadSchedulers: [
        {
          name: BENCH_SCHEDULER,
          selectors: SELECTORS,
          maxQueueTimeout: BENCH_MAX_QUEUE_TIMEOUT,
          workloads: [
            {
              name: 'guests',
              priority: 20,
              queueTimeout: '100ms',
              labelMatcher: { matchLabels: { 'user-type': 'guest' } },
            },
            {
              name: 'subscribers',
              priority: 300,
              labelMatcher: { matchLabels: { 'user-type': 'subscriber' } },
            },
            { name: 'bots', priority: 1, labelMatcher: { matchLabels: { 'user-type': 'bot' } } },
          ],
          averageLatency: {},
        },
      ],
    },
  };
}

/**
 * C: the labels renamed (`tier`, `account`), the limiter keyed on the new label with a whole-interval
 * fill, workloads matching `tier` and shared fairly by `account`, LM 0.9.
 */
function renamedFlowPolicy(): unknown {
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'FlowPolicy',
    metadata: { name: BENCH_POLICY_NAME },
    spec: {
      classifiers: [
        { selectors: SELECTORS, rules: { tier: { header: 'user-type' }, account: { header: 'user-id' } } },
      ],
      fluxMeters: [{ name: 'bench-latency', selectors: SELECTORS }],
      rateLimiters: [
        {
          name: 'per-user',
          selectors: SELECTORS,
          bucketCapacity: 1_000_000,
          fillAmount: 1_000_000,
          interval: '1s',
          limitByLabelKey: 'account',
          continuousFill: false,
        },
      ],
      loadSchedulers: [
        {
          name: BENCH_SCHEDULER,
          selectors: SELECTORS,
          maxQueueTimeout: BENCH_MAX_QUEUE_TIMEOUT,
          fairnessLabelKey: 'account',
          workloads: [
            { name: 'free', priority: 10, labelMatcher: { matchLabels: { tier: 'guest' } } },
            { name: 'paid', priority: 100, labelMatcher: { matchLabels: { tier: 'subscriber' } } },
            { name: 'internal', priority: 1_000, labelMatcher: { matchLabels: { tier: 'internal' } } },
          ],
          averageLatency: {},
        },
      ],
    },
  };
}

/** @throws Error listing the issues when a variant does not compile (a schema change). */
function compiled(name: string, policy: unknown): CompiledPolicy {
  const result = compileFlowPolicy(policy);
  if (!result.ok)
    throw new Error(
      `soak policy variant ${name} does not compile: ${result.issues.map((issue) => JSON.stringify(issue)).join('; ')}`,
    );
  return result.value;
}

/**
 * A is the decision-path bench policy in pass-through (the state the peak is measured in), then B and
 * C. The soak cycles A → B → C → A, so every push changes the hash.
 */
export function churnVariants(): ChurnVariant[] {
  return [
    {
      name: 'a',
      summary:
        'the bench policy: labels user-type, user-id; limit 10⁹/s per user-id; 2 workloads; pass-through',
      policy: compiled('a', benchFlowPolicy()),
      decision: { passThrough: true },
      labelKeys: ['user-id', 'user-type'],
    },
    {
      name: 'b',
      summary: '+ label resource (path template); limit 1,500/s per user-id (rejects); 3 workloads; LM 0.7',
      policy: compiled('b', tightFlowPolicy()),
      decision: { loadMultiplier: 0.7 },
      labelKeys: ['resource', 'user-id', 'user-type'],
    },
    {
      name: 'c',
      summary:
        'labels renamed tier, account; limit keyed on account, whole-interval fill; 3 fair workloads; LM 0.9',
      policy: compiled('c', renamedFlowPolicy()),
      decision: { loadMultiplier: 0.9 },
      labelKeys: ['account', 'tier'],
    },
  ];
}

/** What the AgentSync stub tells the agent for `variant`: its policy and its scheduler decision. */
export function variantState(variant: ChurnVariant): AgentState {
  const decision: syncV1.LoadDecision = {
    policy_name: variant.policy.policyName,
    policy_hash: variant.policy.policyHash,
    component_id: BENCH_SCHEDULER,
    ...('passThrough' in variant.decision
      ? { pass_through: true }
      : { load_multiplier: variant.decision.loadMultiplier }),
  };
  return { policies: [variant.policy], decisions: [decision] };
}
