import { z } from 'zod';
import { durationSchema } from '../duration.js';
import { componentNameSchema } from './flux-meter.js';
import { LabelMatcherSchema, labelKeySchema } from './label-matcher.js';
import { SelectorsSchema } from './selector.js';

const workloadParameters = {
  priority: z
    .number()
    .positive()
    .max(1_000_000)
    .default(1)
    .describe('Relative share under contention (higher is served first).'),
  tokens: z
    .number()
    .nonnegative()
    .default(1)
    .describe('Tokens a flow of this workload costs; 0 bypasses the queue.'),
  queueTimeout: durationSchema(
    'Longest a flow may wait in the queue; the gRPC deadline minus the margin caps it.',
  ).optional(),
};

export const WorkloadSchema = z
  .object({
    name: componentNameSchema.optional().describe('Workload name for metrics; defaults to its index.'),
    labelMatcher: LabelMatcherSchema,
    ...workloadParameters,
  })
  .strict();

export const DefaultWorkloadSchema = z.object(workloadParameters).strict();

export const AimdSchema = z
  .object({
    minGradient: z
      .number()
      .positive()
      .max(1)
      .default(0.1)
      .describe('Smallest factor one overloaded tick may multiply the load multiplier by.'),
    maxGradient: z
      .number()
      .positive()
      .max(1)
      .default(1.0)
      .describe('Largest factor an overloaded tick may multiply the load multiplier by.'),
    maxLoadMultiplier: z
      .number()
      .gt(1)
      .max(100)
      .default(2.0)
      .describe('At or above this load multiplier the scheduler passes everything through.'),
    linearIncrement: z
      .number()
      .positive()
      .max(1)
      .default(0.025)
      .describe('Added to the load multiplier per evaluation tick since the last overload.'),
  })
  .strict()
  .superRefine((aimd, context) => {
    if (aimd.minGradient > aimd.maxGradient) {
      context.addIssue({
        code: 'custom',
        path: ['minGradient'],
        message: `minGradient ${aimd.minGradient} must not exceed maxGradient ${aimd.maxGradient}`,
      });
    }
  });

export const AverageLatencySchema = z
  .object({
    fluxMeter: z
      .object({
        selectors: SelectorsSchema.optional().describe(
          'Where latency is measured; defaults to the scheduler selectors.',
        ),
      })
      .strict()
      .prefault({}),
    latencyToleranceMultiplier: z
      .number()
      .gt(1)
      .max(100)
      .default(1.1)
      .describe('Overloaded when the signal exceeds baseline x this.'),
    signalWindow: durationSchema('Window of the short-term mean latency (the signal).').default('5s'),
    baselineWindow: durationSchema('Window of the long-term mean latency (the baseline).').default('30m'),
    warmUp: durationSchema('Traffic needed before a baseline exists; no throttling before it.').default(
      '60s',
    ),
    evaluationInterval: durationSchema('Control loop tick.').default('1s'),
    decisionTtl: durationSchema(
      'How long agents keep a decision without hearing from the controller.',
    ).default('30s'),
    releaseAfterWindows: z
      .number()
      .int()
      .min(1)
      .default(12)
      .describe(
        'A throttle that has not improved latency for this many signal windows is released (and alerted).',
      ),
    backlogDrainFloor: z
      .number()
      .gt(0)
      .max(1)
      .default(0.95)
      .describe(
        'While the upstream holds a backlog, admit its measured capacity x (1 - queue wait / signalWindow), ' +
          'never less than this share of it. 0.95 keeps goodput; lower clears a backlog sooner at the cost of goodput.',
      ),
    errorRatioTolerance: z
      .number()
      .gt(0)
      .max(1)
      .default(0.05)
      .describe(
        'Also overloaded when the share of admitted flows failing on the server side (5xx, timeouts, resets) ' +
          'over the signal window exceeds its learnt baseline by more than this (and by more than chance). 1 turns it off.',
      ),
    aimd: AimdSchema.prefault({}),
  })
  .strict();

export const LoadSchedulerSchema = z
  .object({
    name: componentNameSchema.describe('Component name, unique within the policy.'),
    selectors: SelectorsSchema,
    workloads: z
      .array(WorkloadSchema)
      .default([])
      .describe('First match wins; unmatched flows use defaultWorkload.'),
    defaultWorkload: DefaultWorkloadSchema.prefault({}),
    fairnessLabelKey: labelKeySchema
      .optional()
      .describe('Flows with different values of this label share their workload fairly.'),
    tokensLabelKey: labelKeySchema
      .optional()
      .describe(
        "Label whose numeric value overrides a flow's tokens; only a finite number at least the workload's tokens (and above 0) is used, so a label can make a flow dearer, never cheaper.",
      ),
    tokensFromBaggage: z
      .boolean()
      .default(false)
      .describe(
        "Let the W3C baggage header (the client's words) set the tokensLabelKey label. Off: a baggage member with that key is ignored; a classifier can still set it.",
      ),
    decisionDeadlineMargin: durationSchema('Answer this long before the gRPC deadline.').default('25ms'),
    maxQueueTimeout: durationSchema('Upper bound on any queue wait.').default('1s'),
    deniedResponseStatusCode: z
      .number()
      .int()
      .min(400)
      .max(599)
      .default(503)
      .describe('HTTP status of a rejected flow.'),
    dryRun: z.boolean().default(false).describe('Decide and count, but always admit.'),
    averageLatency: AverageLatencySchema.prefault({}),
  })
  .strict()
  .superRefine((scheduler, context) => {
    const seen = new Set<string>();
    scheduler.workloads.forEach((workload, index) => {
      if (workload.name === undefined) return;
      if (workload.name === 'default') {
        context.addIssue({
          code: 'custom',
          path: ['workloads', index, 'name'],
          message: 'the name default is reserved for unmatched flows',
        });
      }
      if (seen.has(workload.name)) {
        context.addIssue({
          code: 'custom',
          path: ['workloads', index, 'name'],
          message: `workload name ${workload.name} is used twice`,
        });
      }
      seen.add(workload.name);
    });
  });

export type Workload = z.output<typeof WorkloadSchema>;
export type Aimd = z.output<typeof AimdSchema>;
export type AverageLatency = z.output<typeof AverageLatencySchema>;
export type LoadScheduler = z.output<typeof LoadSchedulerSchema>;
