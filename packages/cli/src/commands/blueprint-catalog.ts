import {
  AverageLatencyBlueprintValuesSchema,
  averageLatencyPolicy,
  BLUEPRINT_NAMES,
  RateLimitBlueprintValuesSchema,
  rateLimitPolicy,
  type BlueprintName,
  type FlowPolicyInput,
  type ParseResult,
} from '@sluice/spec';
import { parseWith } from '@sluice/spec';
import type { z } from 'zod';

/** What sluicectl knows of each blueprint: its values schema, a starting document and the policy it builds. */
export interface Blueprint {
  readonly name: BlueprintName;
  readonly summary: string;
  readonly schema: z.ZodType;
  /** The values file `blueprints values` writes: required keys filled with examples to edit. */
  readonly example: unknown;
  readonly build: (values: unknown) => ParseResult<FlowPolicyInput>;
}

const SERVICE = 'service1-demo-app.demoapp.svc.cluster.local';

export const BLUEPRINTS: readonly Blueprint[] = [
  {
    name: 'load-scheduling/average-latency',
    summary: 'Protect a service: throttle by priority when average latency rises above its baseline.',
    schema: AverageLatencyBlueprintValuesSchema,
    example: {
      policy: {
        policyName: 'basic-service-protection',
        loadScheduler: {
          name: 'service-protection',
          selectors: [{ controlPoint: 'ingress', service: SERVICE }],
          workloads: [
            { name: 'guests', labelMatcher: { matchLabels: { 'user-type': 'guest' } }, priority: 50 },
            {
              name: 'subscribers',
              labelMatcher: { matchLabels: { 'user-type': 'subscriber' } },
              priority: 200,
            },
          ],
          averageLatency: { latencyToleranceMultiplier: 1.1 },
        },
        classifiers: [
          {
            selectors: [{ controlPoint: 'ingress', service: SERVICE }],
            rules: { 'user-type': { header: 'user-type' } },
          },
        ],
      },
    },
    build: (values) => {
      const checked = parseWith(AverageLatencyBlueprintValuesSchema, values);
      return checked.ok
        ? {
            ok: true,
            value: averageLatencyPolicy(values as z.input<typeof AverageLatencyBlueprintValuesSchema>),
          }
        : checked;
    },
  },
  {
    name: 'rate-limiting/base',
    summary: 'Limit requests per label value (for example per user) with a token bucket.',
    schema: RateLimitBlueprintValuesSchema,
    example: {
      policy: {
        policyName: 'per-user-limit',
        rateLimiter: {
          name: 'per-user',
          selectors: [{ controlPoint: 'ingress', service: SERVICE }],
          bucketCapacity: 40,
          fillAmount: 2,
          interval: '1s',
          limitByLabelKey: 'user-id',
        },
        classifiers: [
          {
            selectors: [{ controlPoint: 'ingress', service: SERVICE }],
            rules: { 'user-id': { header: 'user-id' } },
          },
        ],
      },
    },
    build: (values) => {
      const checked = parseWith(RateLimitBlueprintValuesSchema, values);
      return checked.ok
        ? { ok: true, value: rateLimitPolicy(values as z.input<typeof RateLimitBlueprintValuesSchema>) }
        : checked;
    },
  },
];

export function findBlueprint(name: string): Blueprint | undefined {
  return BLUEPRINTS.find((blueprint) => blueprint.name === name);
}

export { BLUEPRINT_NAMES };
