/**
 * A load plan: workloads (who sends what) and stages (how much, when). Each stage gives every
 * workload a target, requests per second for an open-loop workload or virtual users for a
 * closed-loop one, held for the stage (`step`) or ramped to from the previous stage's target
 * (`linear`, from 0 for the first stage). The schedule functions are pure.
 */
import { z } from 'zod';

const workloadSchema = z
  .object({
    /** Workload name, e.g. `guests`. */
    name: z.string().min(1),
    /**
     * `open-loop`: arrivals at the target rate whatever the responses do (the e2e overload shape).
     * `closed-loop`: each virtual user sends, waits for the answer, and sends again.
     */
    kind: z.enum(['open-loop', 'closed-loop']),
    /** @default 'GET' */
    method: z.string().min(1).default('GET'),
    /** Path with query. @default '/request' */
    path: z.string().startsWith('/').default('/request'),
    /** Headers on every request, e.g. `{user-type: guest}`. @default {} */
    headers: z.record(z.string(), z.string()).default({}),
    /** Cycle a user id header through `count` users (`prefix0` … `prefix{count-1}`). @default unset */
    userIds: z
      .object({
        /** @default 'user-id' */
        header: z.string().min(1).default('user-id'),
        count: z.number().int().min(1),
        /** @default '' */
        prefix: z.string().default(''),
      })
      .strict()
      .optional(),
    /** Open-loop spacing: evenly spaced, or a Poisson process drawn from the random source. @default 'uniform' */
    arrivals: z.enum(['uniform', 'poisson']).default('uniform'),
  })
  .strict();

const stageSchema = z
  .object({
    /** Stage name, e.g. `baseline`, `overload`, `recovery`. */
    name: z.string().min(1),
    durationMs: z.number().positive(),
    /** Hold targets (`step`) or move to them linearly over the stage (`linear`). @default 'step' */
    ramp: z.enum(['step', 'linear']).default('step'),
    /** Workload name → requests/s (open-loop) or virtual users (closed-loop); a missing one is 0. */
    targets: z.record(z.string(), z.number().min(0)),
  })
  .strict();

export const LoadPlanSchema = z
  .object({
    workloads: z.array(workloadSchema).min(1),
    stages: z.array(stageSchema).min(1),
    /** Stop after this many requests even if stages remain. @default 1000000 */
    maxRequests: z.number().int().min(1).default(1_000_000),
    /** A request without an answer after this long counts as timed out. @default 10000 */
    requestTimeoutMs: z.number().int().min(1).default(10_000),
  })
  .strict()
  .superRefine((plan, context) => {
    const names = new Set<string>();
    plan.workloads.forEach((workload, index) => {
      if (names.has(workload.name))
        context.addIssue({
          code: 'custom',
          path: ['workloads', index, 'name'],
          message: `duplicate workload name "${workload.name}"`,
        });
      names.add(workload.name);
    });
    plan.stages.forEach((stage, index) => {
      for (const name of Object.keys(stage.targets)) {
        if (!names.has(name)) {
          context.addIssue({
            code: 'custom',
            path: ['stages', index, 'targets', name],
            message: `no workload named "${name}"; workloads: ${[...names].join(', ')}`,
          });
        }
      }
    });
  });

export type LoadPlanInput = z.input<typeof LoadPlanSchema>;
export type LoadPlan = z.output<typeof LoadPlanSchema>;
export type Workload = LoadPlan['workloads'][number];

/** Sum of stage durations, ms. */
export function planDurationMs(plan: LoadPlan): number {
  return plan.stages.reduce((total, stage) => total + stage.durationMs, 0);
}

/** The stage running at `tMs` since the start, or undefined once the plan is over. */
export function stageAt(
  plan: LoadPlan,
  tMs: number,
): { readonly index: number; readonly name: string; readonly startMs: number } | undefined {
  let startMs = 0;
  for (const [index, stage] of plan.stages.entries()) {
    if (tMs < startMs + stage.durationMs) return { index, name: stage.name, startMs };
    startMs += stage.durationMs;
  }
  return undefined;
}

/** Target of `workload` at `tMs` since the start (rate or VUs); 0 once the plan is over. */
export function targetAt(plan: LoadPlan, workload: string, tMs: number): number {
  const current = stageAt(plan, tMs);
  if (current === undefined) return 0;
  const stage = plan.stages[current.index];
  if (stage === undefined) return 0;
  const to = stage.targets[workload] ?? 0;
  if (stage.ramp === 'step') return to;
  const from = current.index === 0 ? 0 : (plan.stages[current.index - 1]?.targets[workload] ?? 0);
  return from + ((to - from) * (tMs - current.startMs)) / stage.durationMs;
}
