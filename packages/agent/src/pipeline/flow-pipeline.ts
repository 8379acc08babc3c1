import type { LoadScheduler, ScheduledFlow } from '../load-scheduler/load-scheduler.js';
import type { RateLimiter } from '../rate-limiter/rate-limiter.js';
import type { ComponentDecision } from './component-decision.js';

/** The enforcing components that selected a flow, in policy order. */
export interface PipelineStages {
  readonly rateLimiters: readonly RateLimiter[];
  readonly loadSchedulers: readonly LoadScheduler[];
}

export type PipelineResult =
  | { readonly kind: 'admit'; readonly decisions: readonly ComponentDecision[] }
  | {
      readonly kind: 'reject';
      readonly decisions: readonly ComponentDecision[];
      /** The first enforced rejection; its status is the one Envoy returns. */
      readonly rejectedBy: ComponentDecision;
      readonly statusCode: number;
      /** Whole seconds, rounded up; only when a rate limiter can say when tokens return. */
      readonly retryAfterSeconds: number | undefined;
    };

/** Called when a component throws: the data path fails open and the caller counts it. */
export type ComponentFailure = (component: RateLimiter | LoadScheduler, error: unknown) => void;

function failedOpen(
  component: RateLimiter | LoadScheduler,
  kind: ComponentDecision['kind'],
): ComponentDecision {
  return {
    identity: component.identity,
    kind,
    admitted: true,
    enforced: false,
    reason: 'failed-open',
    deniedStatusCode: 0,
    tokens: 0,
    queuedMs: 0,
  };
}

function retryAfterSeconds(rejections: readonly ComponentDecision[]): number | undefined {
  let longest: number | undefined;
  for (const decision of rejections) {
    if (decision.waitMs === undefined || !Number.isFinite(decision.waitMs)) continue;
    longest = Math.max(longest ?? 0, decision.waitMs);
  }
  return longest === undefined ? undefined : Math.max(1, Math.ceil(longest / 1000));
}

function reject(decisions: ComponentDecision[]): PipelineResult | undefined {
  const rejections = decisions.filter((decision) => !decision.admitted && decision.enforced);
  const first = rejections[0];
  if (first === undefined) return undefined;
  // Tokens taken by components that admitted are useless now; give them back.
  for (const decision of decisions) if (decision.admitted) decision.giveBack?.();
  return {
    kind: 'reject',
    decisions,
    rejectedBy: first,
    statusCode: first.deniedStatusCode,
    retryAfterSeconds:
      first.kind === 'rate-limiter'
        ? retryAfterSeconds(rejections.filter((d) => d.kind === 'rate-limiter'))
        : undefined,
  };
}

/**
 * Rate limiters first (in parallel), then load schedulers (in parallel): a flow that a rate limiter
 * refuses never occupies a scheduler's queue. Dry-run components decide and count but never
 * reject. When any stage rejects, every component that took tokens gives them back.
 */
export async function runPipeline(
  stages: PipelineStages,
  flow: ScheduledFlow,
  onFailure: ComponentFailure,
): Promise<PipelineResult> {
  const limited = await Promise.all(
    stages.rateLimiters.map((limiter) =>
      limiter.decide(flow.labels).catch((error: unknown) => {
        onFailure(limiter, error);
        return failedOpen(limiter, 'rate-limiter');
      }),
    ),
  );
  const afterLimiters = reject(limited);
  if (afterLimiters !== undefined) return afterLimiters;
  const scheduled = await Promise.all(
    stages.loadSchedulers.map((scheduler) =>
      scheduler.decide(flow).catch((error: unknown) => {
        onFailure(scheduler, error);
        return failedOpen(scheduler, 'load-scheduler');
      }),
    ),
  );
  const decisions = [...limited, ...scheduled];
  return reject(decisions) ?? { kind: 'admit', decisions };
}
