import { z } from 'zod';
import { SelectorsSchema } from './selector.js';

/** Histogram bucket bounds in milliseconds. */
export const DEFAULT_FLUX_METER_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

export const componentNameSchema = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
  message: 'must be a DNS label: lower-case letters, digits and -, at most 63 characters',
});

export const FluxMeterSchema = z
  .object({
    name: componentNameSchema.describe('Flux meter name, unique per agent group.'),
    selectors: SelectorsSchema,
    buckets: z
      .array(z.number().positive())
      .min(1)
      .default([...DEFAULT_FLUX_METER_BUCKETS_MS])
      .describe('Latency histogram bucket upper bounds in ms, ascending.'),
  })
  .strict()
  .superRefine((meter, context) => {
    for (let i = 1; i < meter.buckets.length; i++) {
      if ((meter.buckets[i] ?? 0) <= (meter.buckets[i - 1] ?? 0)) {
        context.addIssue({
          code: 'custom',
          path: ['buckets', i],
          message: 'bucket bounds must be strictly ascending',
        });
      }
    }
  });

export type FluxMeter = z.output<typeof FluxMeterSchema>;
