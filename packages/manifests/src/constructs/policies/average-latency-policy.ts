import { averageLatencyPolicy, type FlowPolicyInput, type FlowPolicySpecInput } from '@sluice/spec';
import { Construct } from 'constructs';
import type { ClassifierInput } from './classifiers.js';
import { DEFAULT_POLICY_NAMESPACE, FlowPolicyResource } from './flow-policy-resource.js';
import { checkPropKeys, type PropKeys } from './policy-prop-keys.js';

type LoadSchedulerInput = NonNullable<FlowPolicySpecInput['loadSchedulers']>[number];

/** One prioritised workload: flows whose labels match get this share under contention. */
export interface PrioritisedWorkload {
  readonly name: string;
  /** Relative share under contention; higher is served first. */
  readonly priority: number;
  /** Flow labels that select the workload, e.g. `{ 'user-type': 'guest' }`. */
  readonly matchLabels: Readonly<Record<string, string>>;
  /** Tokens a flow costs. @default 1 */
  readonly tokens?: number;
  /** Longest queue wait, e.g. '100ms'. @default the gRPC deadline minus the margin */
  readonly queueTimeout?: string;
}

export interface AverageLatencyPolicyProps {
  /** FlowPolicy name (DNS-1123 subdomain). */
  readonly name: string;
  /** @default 'sluice-system' */
  readonly namespace?: string;
  /** Service FQDN to protect. */
  readonly service: string;
  /** @default 'ingress' */
  readonly controlPoint?: string;
  /** @default 'default' */
  readonly agentGroup?: string;
  /** First match wins; unmatched flows use the default workload. @default [] */
  readonly workloads?: readonly PrioritisedWorkload[];
  /** Classifiers creating the labels the workloads match. @default [] */
  readonly classifiers?: readonly ClassifierInput[];
  /** Overloaded when short-term latency exceeds the baseline × this. @default 1.1 */
  readonly latencyToleranceMultiplier?: number;
  /** Anything else of the load scheduler (AIMD bounds, windows, dry run), in FlowPolicy spelling. */
  readonly loadScheduler?: Partial<Omit<LoadSchedulerInput, 'name' | 'selectors' | 'workloads'>>;
}

/** Classifiers and the load scheduler's other fields are FlowPolicy input, checked by the FlowPolicy parse. */
const AVERAGE_LATENCY_POLICY_KEYS: PropKeys<AverageLatencyPolicyProps> = {
  name: true,
  namespace: true,
  service: true,
  controlPoint: true,
  agentGroup: true,
  workloads: {
    each: { name: true, priority: true, matchLabels: true, tokens: true, queueTimeout: true },
  },
  classifiers: true,
  latencyToleranceMultiplier: true,
  loadScheduler: true,
};

/**
 * Average-latency load scheduling (the `load-scheduling/average-latency` blueprint): when the service's
 * mean latency rises above its baseline × tolerance, admission is throttled, and prioritised workloads
 * keep their share while the rest wait or get 503.
 */
export class AverageLatencyPolicy extends Construct {
  readonly policy: FlowPolicyInput;

  constructor(scope: Construct, id: string, props: AverageLatencyPolicyProps) {
    super(scope, id);
    checkPropKeys(`AverageLatencyPolicy ${id}`, props, AVERAGE_LATENCY_POLICY_KEYS);
    const selectors = [
      {
        controlPoint: props.controlPoint ?? 'ingress',
        service: props.service,
        ...(props.agentGroup ? { agentGroup: props.agentGroup } : {}),
      },
    ];
    const overrides = props.loadScheduler ?? {};
    const tolerance = props.latencyToleranceMultiplier;
    const loadScheduler: LoadSchedulerInput = {
      name: 'load-scheduler',
      selectors,
      workloads: (props.workloads ?? []).map((workload) => ({
        name: workload.name,
        priority: workload.priority,
        labelMatcher: { matchLabels: { ...workload.matchLabels } },
        ...(workload.tokens !== undefined ? { tokens: workload.tokens } : {}),
        ...(workload.queueTimeout !== undefined ? { queueTimeout: workload.queueTimeout } : {}),
      })),
      ...overrides,
      ...(tolerance !== undefined
        ? { averageLatency: { ...overrides.averageLatency, latencyToleranceMultiplier: tolerance } }
        : {}),
    };
    const policy = averageLatencyPolicy({
      policy: {
        policyName: props.name,
        namespace: props.namespace ?? DEFAULT_POLICY_NAMESPACE,
        classifiers: [...(props.classifiers ?? [])],
        loadScheduler,
      },
    });
    this.policy = new FlowPolicyResource(this, 'FlowPolicy', policy).policy;
  }
}
