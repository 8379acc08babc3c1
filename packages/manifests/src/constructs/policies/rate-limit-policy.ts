import { type FlowPolicyInput, rateLimitPolicy } from '@sluice/spec';
import { Construct } from 'constructs';
import type { ClassifierInput } from './classifiers.js';
import { DEFAULT_POLICY_NAMESPACE, FlowPolicyResource } from './flow-policy-resource.js';
import { checkPropKeys, type PropKeys } from './policy-prop-keys.js';

export interface RateLimitPolicyProps {
  readonly name: string;
  /** @default 'sluice-system' */
  readonly namespace?: string;
  readonly service: string;
  /** @default 'ingress' */
  readonly controlPoint?: string;
  /** Tokens the bucket holds when full (the burst). */
  readonly bucketCapacity: number;
  /** Tokens added per interval. */
  readonly fillAmount: number;
  /** @default '1s' */
  readonly interval?: string;
  /** One bucket per value of this flow label, e.g. `user-id`. @default one bucket */
  readonly limitByLabelKey?: string;
  /** local: per agent; redis: one bucket across agents. @default 'local' */
  readonly backend?: 'local' | 'redis';
  /** @default [] */
  readonly classifiers?: readonly ClassifierInput[];
}

/** Classifiers are FlowPolicy input, checked by the FlowPolicy parse. */
const RATE_LIMIT_POLICY_KEYS: PropKeys<RateLimitPolicyProps> = {
  name: true,
  namespace: true,
  service: true,
  controlPoint: true,
  bucketCapacity: true,
  fillAmount: true,
  interval: true,
  limitByLabelKey: true,
  backend: true,
  classifiers: true,
};

/** A token-bucket rate limit (the `rate-limiting/base` blueprint); rejected flows get 429 with retry-after. */
export class RateLimitPolicy extends Construct {
  readonly policy: FlowPolicyInput;

  constructor(scope: Construct, id: string, props: RateLimitPolicyProps) {
    super(scope, id);
    checkPropKeys(`RateLimitPolicy ${id}`, props, RATE_LIMIT_POLICY_KEYS);
    const policy = rateLimitPolicy({
      policy: {
        policyName: props.name,
        namespace: props.namespace ?? DEFAULT_POLICY_NAMESPACE,
        classifiers: [...(props.classifiers ?? [])],
        rateLimiter: {
          name: 'rate-limiter',
          selectors: [{ controlPoint: props.controlPoint ?? 'ingress', service: props.service }],
          bucketCapacity: props.bucketCapacity,
          fillAmount: props.fillAmount,
          ...(props.interval !== undefined ? { interval: props.interval } : {}),
          ...(props.limitByLabelKey !== undefined ? { limitByLabelKey: props.limitByLabelKey } : {}),
          ...(props.backend !== undefined ? { backend: props.backend } : {}),
        },
      },
    });
    this.policy = new FlowPolicyResource(this, 'FlowPolicy', policy).policy;
  }
}
