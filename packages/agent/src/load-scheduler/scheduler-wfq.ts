import type { Clock, TimerHandle } from '@sluice/clock';
import type { SchedulerTokenSource } from './load-multiplier-bucket.js';
import { MinHeap } from './min-heap.js';

/** One flow asking the scheduler for tokens. */
export interface WfqRequest {
  /** Workload label (name, index or `default`). */
  readonly workload: string;
  /** > 0; a workload's share under contention is proportional to it. */
  readonly priority: number;
  /** ≥ 0; 0 bypasses the queue. */
  readonly tokens: number;
  /** Flows of one workload with different keys share that workload fairly. */
  readonly fairnessKey?: string;
  /** Longest the flow may wait; 0 means admit now or reject. */
  readonly timeoutMs: number;
}

export type AdmitReason = 'zero-tokens' | 'bypass' | 'tokens-available' | 'queued-then-admitted';
export type RejectReason = 'queue-timeout' | 'no-fill';

export type ScheduleOutcome =
  | { readonly kind: 'admit'; readonly reason: AdmitReason; readonly queuedMs: number }
  | { readonly kind: 'reject'; readonly reason: RejectReason; readonly queuedMs: number };

/** What `submit` returns: a decision now, or a queued flow whose decision arrives later. */
export type SubmitResult =
  ScheduleOutcome | { readonly kind: 'queued'; readonly outcome: Promise<ScheduleOutcome> };

interface FlowState {
  readonly id: string;
  readonly workload: string;
  /** Virtual time of the flow: advances by a request's cost only when that request is admitted. */
  virtualTime: number;
  /** Waiting requests of this flow, oldest first; only the oldest is on the heap. */
  readonly waiting: QueuedEntry[];
}

interface QueuedEntry {
  readonly flow: FlowState;
  readonly priority: number;
  readonly tokens: number;
  readonly enqueuedMs: number;
  readonly deadlineMs: number;
  readonly resolve: (outcome: ScheduleOutcome) => void;
  timer: TimerHandle | undefined;
  settled: boolean;
}

interface HeapItem {
  readonly entry: QueuedEntry;
  readonly finish: number;
  readonly cost: number;
  readonly seq: number;
}

/**
 * Weighted fair queueing over workloads with virtual finish tags (self-clocked: the scheduler's
 * virtual time is the tag of the flow last served). A request costs tokens ÷ priority × the number
 * of fairness flows active in its workload, so each workload's aggregate share stays proportional
 * to its priority however many users it has. Only the head of the queue waits for tokens; a head
 * whose tokens would arrive after its deadline is rejected at once, so answers never wait past it.
 * A busy period ends when the queue empties: virtual time and flow state reset (`generation`).
 */
export class WfqScheduler {
  private virtualTime = 0;
  private seq = 0;
  private readonly flows = new Map<string, FlowState>();
  /** Fairness flows with requests waiting, per workload (kept in step with `waiting`). */
  private readonly activeByWorkload = new Map<string, number>();
  private readonly heap = new MinHeap<HeapItem>(
    (a, b) => a.finish < b.finish || (a.finish === b.finish && a.seq < b.seq),
  );
  private serving: QueuedEntry | undefined;
  private pendingCount = 0;
  private busyPeriods = 0;
  private busy = false;

  constructor(
    private readonly source: SchedulerTokenSource,
    private readonly clock: Clock,
  ) {}

  /** Requests waiting (queued or waiting for reserved tokens). */
  get pending(): number {
    return this.pendingCount;
  }

  get queueOpen(): boolean {
    return this.pendingCount > 0;
  }

  /** Increments each time a busy period ends. */
  get generation(): number {
    return this.busyPeriods;
  }

  get activeFlows(): number {
    return this.flows.size;
  }

  submit(request: WfqRequest): SubmitResult {
    const now = this.clock.now();
    if (request.tokens === 0) return { kind: 'admit', reason: 'zero-tokens', queuedMs: 0 };
    if (this.source.bypass(now)) return { kind: 'admit', reason: 'bypass', queuedMs: 0 };
    if (!this.queueOpen && this.source.takeIfAvailable(now, request.tokens)) {
      return { kind: 'admit', reason: 'tokens-available', queuedMs: 0 };
    }
    if (!(request.timeoutMs > 0)) return { kind: 'reject', reason: 'queue-timeout', queuedMs: 0 };
    return { kind: 'queued', outcome: this.enqueue(request, now) };
  }

  private enqueue(request: WfqRequest, now: number): Promise<ScheduleOutcome> {
    const id =
      request.fairnessKey === undefined
        ? request.workload
        : `${request.workload}\u0000${request.fairnessKey}`;
    let flow = this.flows.get(id);
    if (flow === undefined) {
      flow = { id, workload: request.workload, virtualTime: this.virtualTime, waiting: [] };
      this.flows.set(id, flow);
    }
    const owner = flow;
    this.pendingCount++;
    this.busy = true;
    return new Promise<ScheduleOutcome>((resolve) => {
      const entry: QueuedEntry = {
        flow: owner,
        priority: request.priority,
        tokens: request.tokens,
        enqueuedMs: now,
        deadlineMs: now + request.timeoutMs,
        resolve,
        timer: undefined,
        settled: false,
      };
      entry.timer = this.clock.setTimer(request.timeoutMs, () => this.expire(entry));
      owner.waiting.push(entry);
      if (owner.waiting.length === 1) {
        this.activeByWorkload.set(owner.workload, (this.activeByWorkload.get(owner.workload) ?? 0) + 1);
        // A flow becoming active starts at the scheduler's virtual time: idling earns no credit.
        owner.virtualTime = Math.max(owner.virtualTime, this.virtualTime);
        this.pushHead(owner);
      }
      this.pump();
    });
  }

  /** Fairness flows of a workload that have requests waiting (at least 1: the caller's). */
  private activeFairnessFlows(workload: string): number {
    return Math.max(1, this.activeByWorkload.get(workload) ?? 0);
  }

  /** Puts a flow's oldest waiting request on the heap, tagged with its virtual finish time. */
  private pushHead(flow: FlowState): void {
    const entry = flow.waiting[0];
    if (entry === undefined) return;
    const cost = (entry.tokens / entry.priority) * this.activeFairnessFlows(flow.workload);
    this.heap.push({ entry, finish: flow.virtualTime + cost, cost, seq: this.seq++ });
  }

  private settle(
    entry: QueuedEntry,
    outcome: { kind: 'admit'; reason: AdmitReason } | { kind: 'reject'; reason: RejectReason },
  ): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.timer?.cancel();
    this.pendingCount--;
    const waiting = entry.flow.waiting;
    // Entries mostly settle oldest first; shift() drops the head without copying the rest.
    const index = waiting[0] === entry ? 0 : waiting.indexOf(entry);
    if (index === 0) waiting.shift();
    else if (index > 0) waiting.splice(index, 1);
    if (index >= 0 && waiting.length === 0) this.flowWentIdle(entry.flow);
    entry.resolve({ ...outcome, queuedMs: this.clock.now() - entry.enqueuedMs });
  }

  private expire(entry: QueuedEntry): void {
    // The request being served has its tokens reserved and a wait that fits its deadline.
    if (entry === this.serving) return;
    const wasHead = entry.flow.waiting[0] === entry;
    this.settle(entry, { kind: 'reject', reason: 'queue-timeout' });
    // Its heap item is now stale; the next request of the flow takes its place.
    if (wasHead) this.pushHead(entry.flow);
    this.pump();
  }

  /** Serves heads in virtual-finish order until one must wait for tokens or the queue empties. */
  private pump(): void {
    while (this.serving === undefined) {
      const item = this.heap.pop();
      if (item === undefined) {
        this.closeBusyPeriod();
        return;
      }
      const entry = item.entry;
      if (entry.settled) continue;
      const now = this.clock.now();
      const waitMs = this.source.reserve(now, entry.tokens);
      if (waitMs === Infinity) {
        this.settle(entry, { kind: 'reject', reason: 'no-fill' });
        this.pushHead(entry.flow);
        continue;
      }
      if (now + waitMs > entry.deadlineMs) {
        this.source.giveBack(now, entry.tokens);
        this.settle(entry, { kind: 'reject', reason: 'queue-timeout' });
        this.pushHead(entry.flow);
        continue;
      }
      // Admission advances the flow's virtual time, and the scheduler's with it.
      entry.flow.virtualTime += item.cost;
      this.virtualTime = entry.flow.virtualTime;
      if (waitMs <= 0) {
        this.settle(entry, { kind: 'admit', reason: 'queued-then-admitted' });
        this.pushHead(entry.flow);
        continue;
      }
      this.serving = entry;
      entry.timer?.cancel();
      this.clock.setTimer(waitMs, () => {
        this.serving = undefined;
        this.settle(entry, { kind: 'admit', reason: 'queued-then-admitted' });
        this.pushHead(entry.flow);
        this.pump();
      });
    }
  }

  private flowWentIdle(flow: FlowState): void {
    const active = (this.activeByWorkload.get(flow.workload) ?? 1) - 1;
    if (active > 0) this.activeByWorkload.set(flow.workload, active);
    else this.activeByWorkload.delete(flow.workload);
    // An idle flow at or behind the scheduler's virtual time would restart at that time anyway, so
    // forgetting it changes nothing; it keeps memory bounded while overload never empties the queue.
    if (flow.virtualTime <= this.virtualTime) this.flows.delete(flow.id);
  }

  private closeBusyPeriod(): void {
    if (this.pendingCount > 0 || !this.busy) return;
    this.busy = false;
    this.virtualTime = 0;
    this.flows.clear();
    this.activeByWorkload.clear();
    this.busyPeriods++;
  }
}
