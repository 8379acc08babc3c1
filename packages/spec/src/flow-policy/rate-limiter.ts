import { z } from 'zod';
import { durationSchema } from '../duration.js';
import { componentNameSchema } from './flux-meter.js';
import { labelKeySchema } from './label-matcher.js';
import { SelectorsSchema } from './selector.js';

export const RateLimiterSchema = z
  .object({
    name: componentNameSchema.describe('Component name, unique within the policy.'),
    selectors: SelectorsSchema,
    bucketCapacity: z.number().positive().describe('Tokens the bucket holds when full (the burst).'),
    fillAmount: z.number().nonnegative().describe('Tokens added per interval.'),
    interval: durationSchema('Period over which fillAmount is added.').default('1s'),
    limitByLabelKey: labelKeySchema
      .optional()
      .describe('One bucket per value of this label; a flow without it is accepted and counted.'),
    tokensLabelKey: labelKeySchema
      .optional()
      .describe(
        'Label whose numeric value is the tokens a flow takes (default 1). Only a finite number from 1 up is used: a lower value, 0, a negative or non-numeric one keeps 1.',
      ),
    tokensFromBaggage: z
      .boolean()
      .default(false)
      .describe(
        "Let the W3C baggage header (the client's words) set the tokensLabelKey label. Off: a baggage member with that key is ignored, so a client cannot make its own requests cheap; a classifier can still set it.",
      ),
    continuousFill: z
      .boolean()
      .default(true)
      .describe('Fill continuously; false adds fillAmount once per whole interval.'),
    backend: z
      .enum(['local', 'redis'])
      .default('local')
      .describe('local: per-agent bucket; redis: one bucket shared by all agents.'),
    deniedResponseStatusCode: z
      .number()
      .int()
      .min(400)
      .max(599)
      .default(429)
      .describe('HTTP status of a rejected flow.'),
    dryRun: z.boolean().default(false).describe('Decide and count, but always admit.'),
  })
  .strict();

export type RateLimiter = z.output<typeof RateLimiterSchema>;
