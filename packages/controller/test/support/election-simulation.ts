/**
 * Leader election in simulated time: a store with the Lease registry's rules (resourceVersion
 * preconditions, 409 on stale updates and on creating an existing Lease), candidates running the
 * real LeaseElection, and a discrete-event queue. Requests take `oneWayMs` to reach the store and as
 * long to come back; a partitioned candidate's requests (or their answers) are lost and time out; a
 * crashed candidate does nothing more; the embedder of each candidate takes `stepDownMs` to stop
 * acting as leader. Every candidate records when it acted as leader, so tests can check that no two
 * ever did at once.
 */
import type { LeaseOutcome, LeaseSpec, ObservedLease } from '../../src/leader-election/lease-client.js';
import {
  LeaseElection,
  type ElectionStep,
  type ElectionTransition,
  type LeaseElectionOptions,
  type LeaseRequest,
} from '../../src/leader-election/lease-election.js';

export const SIMULATION_START_MS = 1_700_000_000_000;

/** The Lease store, with the registry's optimistic concurrency. */
export class SimulatedLeaseStore {
  lease: ObservedLease | undefined;
  #resourceVersion = 100;
  /** Every write that took effect, in order. */
  readonly writes: {
    identity: string;
    kind: 'create' | 'update' | 'external';
    atMs: number;
    spec: LeaseSpec;
  }[] = [];

  answer(identity: string, request: LeaseRequest, atMs: number): LeaseOutcome {
    switch (request.kind) {
      case 'get':
        return this.lease === undefined ? { outcome: 'not-found' } : { outcome: 'found', lease: this.lease };
      case 'create':
        if (this.lease !== undefined)
          return {
            outcome: 'conflict',
            message: 'leases.coordination.k8s.io "sluice-controller" already exists',
          };
        return this.#write(identity, 'create', request.spec, atMs);
      case 'update':
        if (this.lease === undefined) return { outcome: 'not-found' };
        if (request.resourceVersion !== this.lease.resourceVersion)
          return { outcome: 'conflict', message: 'the object has been modified' };
        return this.#write(identity, 'update', request.spec, atMs);
    }
  }

  /** Someone outside the election (kubectl edit) rewrites the Lease. */
  overwrite(spec: LeaseSpec, atMs: number): void {
    this.#write('<external>', 'external', spec, atMs);
  }

  #write(
    identity: string,
    kind: 'create' | 'update' | 'external',
    spec: LeaseSpec,
    atMs: number,
  ): LeaseOutcome {
    this.#resourceVersion += 1;
    this.lease = { resourceVersion: String(this.#resourceVersion), spec };
    this.writes.push({ identity, kind, atMs, spec });
    return { outcome: 'written', lease: this.lease };
  }
}

interface QueuedEvent {
  readonly atMs: number;
  readonly seq: number;
  readonly run: () => void;
}

/** Events in time order (ties in the order they were queued). */
export class EventQueue {
  nowMs = SIMULATION_START_MS;
  #seq = 0;
  #events: QueuedEvent[] = [];

  at(atMs: number, run: () => void): void {
    this.#events.push({ atMs: Math.max(atMs, this.nowMs), seq: this.#seq++, run });
  }

  /** Runs every event due up to `untilMs`, in order, then sets the time to `untilMs`. */
  runUntil(untilMs: number): void {
    for (;;) {
      let next: QueuedEvent | undefined;
      for (const event of this.#events)
        if (
          event.atMs <= untilMs &&
          (next === undefined || event.atMs < next.atMs || (event.atMs === next.atMs && event.seq < next.seq))
        )
          next = event;
      if (next === undefined) break;
      this.#events.splice(this.#events.indexOf(next), 1);
      this.nowMs = next.atMs;
      next.run();
    }
    this.nowMs = untilMs;
  }
}

export type Partition = 'none' | 'requests-lost' | 'answers-lost';

export interface CandidateOptions extends Partial<LeaseElectionOptions> {
  readonly identity: string;
  /** @default 5 */
  readonly oneWayMs?: number;
  /** A request without an answer fails after this long (the client's timeout). @default 2000 */
  readonly requestTimeoutMs?: number;
  /** How long the embedder takes to stop acting once told to step down. @default 100 */
  readonly stepDownMs?: number;
}

export class SimulatedCandidate {
  readonly election: LeaseElection;
  readonly transitions: ElectionTransition[] = [];
  readonly requests: { kind: LeaseRequest['kind']; atMs: number; outcome?: LeaseOutcome['outcome'] }[] = [];
  /** Periods in which this candidate acted as leader: from becoming leader until its embedder stopped. */
  readonly acting: { fromMs: number; toMs: number | undefined }[] = [];
  partition: Partition = 'none';
  oneWayMs: number;
  #crashed = false;
  #wakeAtMs: number | undefined;
  readonly #queue: EventQueue;
  readonly #store: SimulatedLeaseStore;
  readonly #timeoutMs: number;
  readonly #stepDownMs: number;

  constructor(queue: EventQueue, store: SimulatedLeaseStore, options: CandidateOptions) {
    this.#queue = queue;
    this.#store = store;
    this.oneWayMs = options.oneWayMs ?? 5;
    this.#timeoutMs = options.requestTimeoutMs ?? 2000;
    this.#stepDownMs = options.stepDownMs ?? 100;
    this.election = new LeaseElection(options);
    this.election.onTransition((transition) => this.#onTransition(transition));
  }

  get identity(): string {
    return this.election.identity;
  }

  get crashed(): boolean {
    return this.#crashed;
  }

  start(): void {
    this.#apply(this.election.start(this.#queue.nowMs));
  }

  stop(): void {
    if (this.#crashed) return;
    this.#apply(this.election.stop(this.#queue.nowMs));
  }

  /** The process dies: nothing it does from now on happens, and it stops acting at once. */
  crash(): void {
    this.#crashed = true;
    this.#closeActing();
  }

  /** When this candidate last became leader (undefined if never). */
  get becameLeaderAtMs(): number | undefined {
    return this.transitions.findLast((transition) => transition.to === 'leader')?.atMs;
  }

  #onTransition(transition: ElectionTransition): void {
    this.transitions.push(transition);
    if (transition.to === 'leader') this.acting.push({ fromMs: transition.atMs, toMs: undefined });
    if (transition.to === 'stepping-down') {
      this.#queue.at(this.#queue.nowMs + this.#stepDownMs, () => {
        if (this.#crashed) return;
        this.#closeActing();
        this.#apply(this.election.steppedDown(this.#queue.nowMs));
      });
    }
  }

  #closeActing(): void {
    const open = this.acting.at(-1);
    if (open !== undefined && open.toMs === undefined) open.toMs = this.#queue.nowMs;
  }

  #apply(step: ElectionStep): void {
    if (this.#crashed) return;
    this.#wakeAtMs = step.wakeAtMs;
    if (step.wakeAtMs !== undefined) {
      const wakeAt = step.wakeAtMs;
      this.#queue.at(wakeAt, () => {
        if (this.#crashed || this.#wakeAtMs !== wakeAt) return;
        this.#apply(this.election.wake(this.#queue.nowMs));
      });
    }
    if (step.request !== undefined) this.#send(step.request);
  }

  #send(request: LeaseRequest): void {
    const record: (typeof this.requests)[number] = { kind: request.kind, atMs: this.#queue.nowMs };
    this.requests.push(record);
    const sentAt = this.#queue.nowMs;
    const oneWay = this.oneWayMs;
    const timeout = () =>
      this.#queue.at(sentAt + this.#timeoutMs, () =>
        this.#receive(request.id, record, { outcome: 'failed', message: 'timeout' }),
      );
    if (this.partition === 'requests-lost') return timeout();
    this.#queue.at(sentAt + oneWay, () => {
      if (this.#crashed) return;
      const outcome = this.#store.answer(this.identity, request, this.#queue.nowMs);
      if (this.partition === 'answers-lost') return timeout();
      this.#queue.at(this.#queue.nowMs + oneWay, () => this.#receive(request.id, record, outcome));
    });
  }

  #receive(id: number, record: { outcome?: LeaseOutcome['outcome'] }, outcome: LeaseOutcome): void {
    if (this.#crashed) return;
    record.outcome = outcome.outcome;
    this.#apply(this.election.receive(this.#queue.nowMs, { ...outcome, id }));
  }
}

/** One store, one queue, and candidates that share them. */
export class ElectionSimulation {
  readonly queue = new EventQueue();
  readonly store = new SimulatedLeaseStore();
  readonly candidates: SimulatedCandidate[] = [];

  add(options: CandidateOptions): SimulatedCandidate {
    const candidate = new SimulatedCandidate(this.queue, this.store, options);
    this.candidates.push(candidate);
    return candidate;
  }

  get nowMs(): number {
    return this.queue.nowMs;
  }

  /** Runs for `ms` of simulated time. */
  run(ms: number): void {
    this.queue.runUntil(this.queue.nowMs + ms);
  }

  /** Runs until `predicate` holds, checking after every event-free step of `stepMs`; throws after `maxMs`. */
  runUntil(predicate: () => boolean, maxMs: number, stepMs = 1): number {
    const start = this.queue.nowMs;
    while (!predicate()) {
      if (this.queue.nowMs - start >= maxMs)
        throw new Error(`condition not reached within ${maxMs} simulated ms`);
      this.queue.runUntil(this.queue.nowMs + stepMs);
    }
    return this.queue.nowMs - start;
  }

  /** Pairs of acting periods of different candidates that overlap (must be none). */
  overlaps(): string[] {
    const periods = this.candidates.flatMap((candidate) =>
      candidate.acting.map((period) => ({
        identity: candidate.identity,
        fromMs: period.fromMs,
        toMs: period.toMs ?? Number.POSITIVE_INFINITY,
      })),
    );
    const found: string[] = [];
    for (const a of periods)
      for (const b of periods)
        if (a.identity < b.identity && a.fromMs < b.toMs && b.fromMs < a.toMs)
          found.push(
            `${a.identity} [${a.fromMs - SIMULATION_START_MS}, ${a.toMs - SIMULATION_START_MS}) overlaps ${b.identity} [${b.fromMs - SIMULATION_START_MS}, ${b.toMs - SIMULATION_START_MS})`,
          );
    return found;
  }
}
