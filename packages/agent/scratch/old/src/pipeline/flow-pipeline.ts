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

/** A stage's decisions: at once when every component decided synchronously, else when all have. */
function decideStage<C extends RateLimiter | LoadScheduler>(
  components: readonly C[],
  kind: ComponentDecision['kind'],
  decide: (component: C) => ComponentDecision | Promise<ComponentDecision>,
  onFailure: ComponentFailure,
): ComponentDecision[] | Promise<ComponentDecision[]> {
  const decisions: Array<ComponentDecision | Promise<ComponentDecision>> = [];
  let pending = false;
  for (const component of components) {
    let decision: ComponentDecision | Promise<ComponentDecision>;
    try {
      decision = decide(component);
    } catch (error) {
      onFailure(component, error);
      decision = failedOpen(component, kind);
    }
    if (decision instanceof Promise) {
      pending = true;
      decision = decision.catch((error: unknown) => {
        onFailure(component, error);
        return failedOpen(component, kind);
      });
    }
    decisions.push(decision);
  }
  return pending ? Promise.all(decisions) : (decisions as ComponentDecision[]);
}

function schedule(
  stages: PipelineStages,
  flow: ScheduledFlow,
  onFailure: ComponentFailure,
  limited: ComponentDecision[],
): PipelineResult | Promise<PipelineResult> {
  const afterLimiters = reject(limited);
  if (afterLimiters !== undefined) return afterLimiters;
  const scheduled = decideStage(
    stages.loadSchedulers,
    'load-scheduler',
    (scheduler) => scheduler.decideNow(flow),
    onFailure,
  );
  const finish = (decisions: ComponentDecision[]): PipelineResult => {
    const all = [...limited, ...decisions];
    return reject(all) ?? { kind: 'admit', decisions: all };
  };
  return scheduled instanceof Promise ? scheduled.then(finish) : finish(scheduled);
}

/**
 * Rate limiters first (in parallel), then load schedulers (in parallel): a flow that a rate limiter
 * refuses never occupies a scheduler's queue. Dry-run components decide and count but never
 * reject. When any stage rejects, every component that took tokens gives them back.
 *
 * The result is returned directly when every component decided synchronously (local buckets, no
 * queueing: most Checks), and as a promise otherwise; `await` takes either. A component that
 * throws, synchronously or not, fails open and is reported to `onFailure`.
 */
export function runPipeline(
  stages: PipelineStages,
  flow: ScheduledFlow,
  onFailure: ComponentFailure,
): PipelineResult | Promise<PipelineResult> {
  const limited = decideStage(
    stages.rateLimiters,
    'rate-limiter',
    (limiter) => limiter.decideNow(flow.labels),
    onFailure,
  );
  return limited instanceof Promise
    ? limited.then((decisions) => schedule(stages, flow, onFailure, decisions))
    : schedule(stages, flow, onFailure, limited);
}
