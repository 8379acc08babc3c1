/**
 * Runs a {@link LoadPlan} against a loopback target: open-loop workloads send at their scheduled
 * rate regardless of answers, closed-loop workloads run virtual users that each send, wait and send
 * again. The run stops by itself when the stages end or `maxRequests` is reached, then waits for the
 * answers in flight (bounded by `requestTimeoutMs`) and resolves its report.
 */
import { Agent, request as httpRequest } from 'node:http';
import { systemClock, type Clock, type TimerHandle } from '@sluice/clock';
import {
  LoadPlanSchema,
  planDurationMs,
  targetAt,
  type LoadPlan,
  type LoadPlanInput,
  type Workload,
} from './load-plan.js';
import {
  DECISION_HEADER,
  LoadResults,
  classifyResponse,
  type Outcome,
  type WorkloadReport,
  type WorkloadSecond,
} from './load-results.js';
import { loopbackTarget } from './loopback-target.js';
import { OpenLoopArrivals } from './open-loop-arrivals.js';
import { systemRandom, type RandomSource } from '@sluice/clock';

export interface StartLoadOptions {
  /** Base URL, e.g. `http://127.0.0.1:10000`; loopback only. */
  readonly target: string;
  /** @default systemClock */
  readonly clock?: Clock;
  /** For Poisson arrivals. @default Math.random */
  readonly random?: RandomSource;
  /** How often the scheduler wakes, ms. @default 5 */
  readonly tickMs?: number;
  /**
   * Called once per elapsed second with that second's results per workload (by send time, so
   * answers still in flight are not in it yet). For live views.
   */
  readonly onSecond?: (second: number, results: Readonly<Record<string, WorkloadSecond | undefined>>) => void;
}

export interface LoadReport {
  readonly durationMs: number;
  readonly stoppedBy: 'schedule' | 'max-requests' | 'stop';
  /** Requests sent, all workloads. */
  readonly requests: number;
  readonly workloads: Readonly<Record<string, WorkloadReport>>;
}

export interface LoadRun {
  readonly plan: LoadPlan;
  /** Resolves when the run has ended and every answer is in. */
  readonly done: Promise<LoadReport>;
  /** Ends the run early; resolves like `done`. */
  stop(): Promise<LoadReport>;
  /** Results so far. */
  results(): Readonly<Record<string, WorkloadReport>>;
}

/** @throws ZodError for a bad plan, Error for a non-loopback target. */
export function startLoad(planInput: LoadPlanInput, options: StartLoadOptions): LoadRun {
  const plan = LoadPlanSchema.parse(planInput);
  const base = loopbackTarget(options.target);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const tickMs = options.tickMs ?? 5;
  const duration = planDurationMs(plan);
  const results = new LoadResults(plan.workloads.map((workload) => workload.name));
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const start = clock.now();
  const elapsed = () => clock.now() - start;
  const inFlight = new Set<Promise<Outcome>>();
  const userCounters = new Map<string, number>();
  let sent = 0;
  let stopping: LoadReport['stoppedBy'] | undefined;
  let timer: TimerHandle | undefined;
  let lastSecondReported = -1;
  let resolveDone: (report: LoadReport) => void = () => undefined;
  const done = new Promise<LoadReport>((resolve) => (resolveDone = resolve));

  const openLoop = plan.workloads
    .filter((workload) => workload.kind === 'open-loop')
    .map((workload) => ({
      workload,
      arrivals: new OpenLoopArrivals({
        rateAt: (tMs) => targetAt(plan, workload.name, tMs),
        process: workload.arrivals,
        random,
      }),
    }));
  const closedLoop = plan.workloads
    .filter((workload) => workload.kind === 'closed-loop')
    .map((workload) => ({ workload, active: new Set<number>() }));

  const send = (workload: Workload): Promise<Outcome> => {
    sent += 1;
    const sentAt = elapsed();
    results.offered(workload.name, sentAt);
    const headers: Record<string, string> = { ...workload.headers };
    if (workload.userIds !== undefined) {
      const counter = userCounters.get(workload.name) ?? 0;
      userCounters.set(workload.name, counter + 1);
      headers[workload.userIds.header] = `${workload.userIds.prefix}${counter % workload.userIds.count}`;
    }
    const outcome = new Promise<Outcome>((resolve) => {
      const call = httpRequest(
        new URL(workload.path, base),
        { method: workload.method, headers, agent },
        (response) => {
          response.resume();
          response.once('end', () => {
            const decision = response.headers[DECISION_HEADER];
            resolve(
              classifyResponse(response.statusCode ?? 0, typeof decision === 'string' ? decision : undefined),
            );
          });
          response.once('error', () => resolve({ kind: 'failed', reason: 'network' }));
        },
      );
      call.setTimeout(plan.requestTimeoutMs, () => {
        call.destroy();
        resolve({ kind: 'failed', reason: 'timeout' });
      });
      call.once('error', () => resolve({ kind: 'failed', reason: 'network' }));
      call.end();
    }).then((result) => {
      results.completed(workload.name, sentAt, result, elapsed() - sentAt);
      return result;
    });
    inFlight.add(outcome);
    void outcome.then(() => inFlight.delete(outcome));
    return outcome;
  };

  const runVirtualUser = async (entry: (typeof closedLoop)[number], index: number) => {
    entry.active.add(index);
    while (stopping === undefined && index < Math.floor(targetAt(plan, entry.workload.name, elapsed()))) {
      if (sent >= plan.maxRequests) break;
      const outcome = await send(entry.workload);
      // A VU whose target refuses connections would otherwise spin; back off one tick.
      if (outcome.kind === 'failed') await new Promise<void>((resolve) => clock.setTimer(tickMs, resolve));
    }
    entry.active.delete(index);
  };

  const reportSeconds = (upTo: number) => {
    if (options.onSecond === undefined) return;
    while (lastSecondReported < upTo) {
      lastSecondReported += 1;
      const second = lastSecondReported;
      options.onSecond(
        second,
        Object.fromEntries(
          plan.workloads.map((workload) => [workload.name, results.second(workload.name, second)]),
        ),
      );
    }
  };

  const finish = async (reason: LoadReport['stoppedBy']): Promise<LoadReport> => {
    if (stopping === undefined) {
      stopping = reason;
      timer?.cancel();
      const ended = elapsed();
      // Virtual users see `stopping` after their current request; answers in flight are awaited.
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      agent.destroy();
      // The last tick lands a little after the plan's end; that sliver is not a second of load.
      reportSeconds(Math.ceil(Math.min(ended, duration) / 1000) - 1);
      resolveDone({ durationMs: ended, stoppedBy: reason, requests: sent, workloads: results.report() });
    }
    return done;
  };

  const tick = () => {
    timer = undefined;
    if (stopping !== undefined) return;
    const t = elapsed();
    // A late tick still sends the arrivals that fell due before the plan's end.
    for (const { workload, arrivals } of openLoop) {
      const due = arrivals.dueBy(Math.min(t, duration));
      for (let index = 0; index < due && sent < plan.maxRequests; index += 1) void send(workload);
    }
    if (t >= duration) {
      void finish('schedule');
      return;
    }
    for (const entry of closedLoop) {
      const target = Math.floor(targetAt(plan, entry.workload.name, t));
      for (let index = 0; index < target && sent < plan.maxRequests; index += 1) {
        if (!entry.active.has(index)) void runVirtualUser(entry, index);
      }
      results.virtualUsers(entry.workload.name, t, entry.active.size);
    }
    if (sent >= plan.maxRequests) {
      void finish('max-requests');
      return;
    }
    reportSeconds(Math.floor(t / 1000) - 1);
    timer = clock.setTimer(tickMs, tick);
  };
  tick();

  return {
    plan,
    done,
    stop: () => finish('stop'),
    results: () => results.report(),
  };
}
