import { z } from 'zod';

/** Persisted form of an error-ratio baseline (inside the loop's baseline state, key `errors`). */
export const ErrorRatioBaselineStateSchema = z
  .object({
    /** Ticks of traffic learned so far (saturates at the window length). */
    learnedTicks: z.number().int().nonnegative(),
    /** Oldest first: admitted flows that ended, and those that failed on the server's side. */
    buckets: z.array(
      z
        .object({
          ticks: z.number().int().nonnegative(),
          flows: z.number().nonnegative(),
          failed: z.number().nonnegative(),
        })
        .strict(),
    ),
  })
  .strict();

export type ErrorRatioBaselineState = z.output<typeof ErrorRatioBaselineStateSchema>;
