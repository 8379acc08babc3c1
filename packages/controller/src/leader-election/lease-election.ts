import { microTime, type LeaseOutcome, type LeaseSpec, type ObservedLease } from './lease-client.js';

/**
 * Lease-based leader election as client-go's `leaderelection` package does it, as a pure state
 * machine: no sockets, no timers, no clock reads. The caller passes the time into every call, sends
 * the request a step asks for, feeds the answer back with `receive`, and calls `wake` at the step's
 * `wakeAtMs`. LeaderElector (leader-elector.ts) is that caller for the real process.
 *
 * Semantics kept from client-go:
 * - a candidate takes the Lease when it is free (no holder), held by itself, or expired; expiry is
 *   judged on the candidate's own clock: `leaseDurationSeconds` after it first observed the record
 *   as it is now (so clock skew between nodes does not matter, only their rates);
 * - every write carries the resourceVersion read, so of two racing candidates one gets 409;
 *   a missing Lease is created, and a racing create gets 409 AlreadyExists;
 * - the leader renews every retry period with a direct update (the optimistic fast path), falling
 *   back to a read on conflict; a taker increments leaseTransitions and sets acquireTime;
 * - releasing (ReleaseOnCancel) writes an empty holder and leaseDurationSeconds 1.
 *
 * Where it differs, to bound the takeover time:
 * - a follower wakes exactly when the lease it observed can have expired instead of at its next
 *   retry tick, so a takeover after a crash takes at most leaseDuration + retryPeriod (+ one round
 *   trip) from the holder's last renewal, instead of up to leaseDuration + 2 × retryPeriod;
 * - the renew deadline counts from when the last *successful* renewal was sent (client-go counts
 *   from the start of the current renew round, up to a retry period later), so a leader stops
 *   acting no later than renewDeadline after the last moment others could have seen it renew;
 * - retries are not jittered: with the few replicas a controller runs, 409 settles any race.
 *
 * States (every transition traced, listeners get from, to and the reason):
 *   follower ─acquired→ leader ─renew-deadline | lost | shutdown→ stepping-down
 *   stepping-down ─stepped-down→ follower        (the embedder confirmed it stopped acting)
 *   stepping-down ─released→ stopped             (shutdown: the Lease was handed back, or that failed)
 *   follower ─shutdown→ stopped
 * In `stepping-down` the embedder is undoing leadership (ending agent streams, closing the status
 * writers); no Lease request is made until it calls `steppedDown`, so a replica never starts leading
 * again, nor hands the Lease over, while its previous term is still winding down.
 */
export type ElectionState = 'follower' | 'leader' | 'stepping-down' | 'stopped';

export type TransitionReason =
  /** follower → leader: the write that took or renewed the Lease succeeded. */
  | 'acquired'
  /** leader → stepping-down: no renewal succeeded within renewDeadline. */
  | 'renew-deadline'
  /** leader → stepping-down: a read showed another holder with an unexpired Lease. */
  | 'lost'
  /** leader → stepping-down, or follower → stopped: `stop` was called. */
  | 'shutdown'
  /** stepping-down → follower. */
  | 'stepped-down'
  /** stepping-down → stopped, after the release write was answered (whatever the answer). */
  | 'released';

export interface ElectionTransition {
  readonly from: ElectionState;
  readonly to: ElectionState;
  readonly reason: TransitionReason;
  readonly atMs: number;
}

export type LeaseRequest =
  | { readonly id: number; readonly kind: 'get' }
  | { readonly id: number; readonly kind: 'create'; readonly spec: LeaseSpec }
  | {
      readonly id: number;
      readonly kind: 'update';
      readonly spec: LeaseSpec;
      readonly resourceVersion: string;
    };

/** The answer to the request with the same `id`. */
export type LeaseResponse = LeaseOutcome & { readonly id: number };

/** What the caller does next: send `request` (if any) now, and call `wake` at `wakeAtMs` (if any). */
export interface ElectionStep {
  readonly request: LeaseRequest | undefined;
  readonly wakeAtMs: number | undefined;
}

export const DEFAULT_LEASE_DURATION_MS = 8_000;
export const DEFAULT_RENEW_DEADLINE_MS = 6_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** client-go's JitterFactor: its rule renewDeadline > 1.2 × retryPeriod is kept. */
const RETRY_FACTOR = 1.2;
/** Release writes on shutdown before giving up (each conflict is followed by a read). */
const MAX_RELEASE_ATTEMPTS = 3;

export interface LeaseElectionOptions {
  /** This replica's name in `holderIdentity` (the pod name). */
  readonly identity: string;
  /**
   * How long followers wait, from the last change they observed, before taking the Lease. A whole
   * number of seconds (`leaseDurationSeconds` is an integer). @default 8000
   */
  readonly leaseDurationMs?: number;
  /** The leader steps down when no renewal succeeded for this long; below leaseDurationMs. @default 6000 */
  readonly renewDeadlineMs?: number;
  /** Between two attempts to acquire or renew; renewDeadlineMs must exceed 1.2 × this. @default 2000 */
  readonly retryPeriodMs?: number;
  /** Every transition and notable answer, one line each. @default no tracing */
  readonly trace?: (message: string) => void;
}

interface Observation {
  readonly spec: LeaseSpec;
  /** The spec as compared between reads (client-go compares the raw record). */
  readonly raw: string;
  resourceVersion: string;
  /** When this replica first saw the record as it is (its own clock). */
  readonly atMs: number;
}

const IDLE: ElectionStep = { request: undefined, wakeAtMs: undefined };

function rawOf(spec: LeaseSpec): string {
  return JSON.stringify([
    spec.holderIdentity,
    spec.leaseDurationSeconds,
    spec.acquireTime,
    spec.renewTime,
    spec.leaseTransitions,
  ]);
}

export class LeaseElection {
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly #trace: (message: string) => void;
  readonly #listeners: ((transition: ElectionTransition) => void)[] = [];
  #state: ElectionState = 'follower';
  #started = false;
  #inFlight:
    { readonly id: number; readonly kind: LeaseRequest['kind']; readonly sentAtMs: number } | undefined;
  #nextId = 1;
  #observed: Observation | undefined;
  /** When the last successful write of this term was sent; the renew deadline counts from here. */
  #lastRenewSentMs = Number.NEGATIVE_INFINITY;
  #nextAttemptAtMs: number | undefined;
  #stopRequested = false;
  /** Release writes sent so far (0: not releasing). */
  #releaseAttempts = 0;

  constructor(options: LeaseElectionOptions) {
    this.identity = options.identity;
    this.leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    this.#trace = options.trace ?? (() => undefined);
    const problems: string[] = [];
    if (this.identity === '') problems.push('identity "" is not allowed; must be non-empty (the pod name)');
    if (!Number.isInteger(this.leaseDurationMs / 1000) || this.leaseDurationMs < 1000)
      problems.push(
        `leaseDurationMs ${this.leaseDurationMs} is not allowed; must be a whole number of seconds, at least 1000`,
      );
    if (!(this.renewDeadlineMs < this.leaseDurationMs))
      problems.push(
        `renewDeadlineMs ${this.renewDeadlineMs} is not allowed; must be below leaseDurationMs (${this.leaseDurationMs})`,
      );
    if (!(this.retryPeriodMs > 0) || !(this.renewDeadlineMs > this.retryPeriodMs * RETRY_FACTOR))
      problems.push(
        `retryPeriodMs ${this.retryPeriodMs} is not allowed; must be above 0 with renewDeadlineMs (${this.renewDeadlineMs}) above ${RETRY_FACTOR} × retryPeriodMs`,
      );
    if (problems.length > 0) throw new Error(`leader election: ${problems.join('; ')}`);
  }

  get state(): ElectionState {
    return this.#state;
  }

  /** Called after every transition, synchronously, inside the call that caused it. */
  onTransition(listener: (transition: ElectionTransition) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Who leads: this replica while it is leader, else the holder last observed while that observation
   * has not expired (never this replica: a record still naming it after it stepped down is stale).
   */
  leader(nowMs: number): string | undefined {
    if (this.#state === 'leader') return this.identity;
    const holder = this.#observed?.spec.holderIdentity ?? '';
    if (holder === '' || holder === this.identity || !this.#valid(nowMs)) return undefined;
    return holder;
  }

  /** Begins campaigning: the first step reads the Lease. */
  start(nowMs: number): ElectionStep {
    if (this.#started) throw new Error('leader election: start was already called');
    this.#started = true;
    this.#nextAttemptAtMs = nowMs;
    return this.#step(nowMs);
  }

  /** Called at (or after) the last step's `wakeAtMs`. */
  wake(nowMs: number): ElectionStep {
    return this.#step(nowMs);
  }

  /** Feeds back the answer to a request. Answers to abandoned requests are ignored. */
  receive(nowMs: number, response: LeaseResponse): ElectionStep {
    const sent = this.#inFlight;
    if (sent === undefined || sent.id !== response.id) {
      this.#trace(
        `leader election (${this.identity}): ignoring the answer to abandoned request ${response.id}`,
      );
      return this.#step(nowMs);
    }
    this.#inFlight = undefined;
    if (this.#releaseAttempts > 0) return this.#releaseAnswered(nowMs, response);
    if (this.#state !== 'follower' && this.#state !== 'leader') return IDLE;
    switch (response.outcome) {
      case 'not-found':
        return this.#send(nowMs, {
          kind: 'create',
          spec: this.#spec(nowMs, { acquireTime: microTime(nowMs), leaseTransitions: 0 }),
        });
      case 'found':
        this.#observe(response.lease, nowMs);
        return this.#decide(nowMs, response.lease);
      case 'written':
        return this.#written(nowMs, response.lease, sent.sentAtMs);
      case 'conflict':
        // Someone else wrote since our read: read again at once to learn who.
        this.#trace(`leader election (${this.identity}): ${sent.kind} conflicted (${response.message})`);
        return this.#send(nowMs, { kind: 'get' });
      case 'failed':
        this.#trace(`leader election (${this.identity}): ${sent.kind} failed (${response.message})`);
        this.#nextAttemptAtMs = nowMs + this.retryPeriodMs;
        return this.#step(nowMs);
    }
  }

  /**
   * Stops campaigning. A leader steps down first (reason `shutdown`); once the embedder calls
   * `steppedDown`, the Lease is released so another replica takes over at its next retry.
   */
  stop(nowMs: number): ElectionStep {
    this.#stopRequested = true;
    switch (this.#state) {
      case 'follower':
        this.#inFlight = undefined;
        this.#transition(['follower'], 'stopped', 'shutdown', nowMs);
        return IDLE;
      case 'leader':
        this.#stepDown('shutdown', nowMs);
        return IDLE;
      default:
        return IDLE;
    }
  }

  /**
   * The embedder has stopped acting as leader (agent streams ended, status writers closed). Only
   * valid in `stepping-down`. After a shutdown the next step is the release write.
   */
  steppedDown(nowMs: number): ElectionStep {
    if (this.#state !== 'stepping-down')
      throw new Error(`leader election: steppedDown is only valid in stepping-down, not in ${this.#state}`);
    if (this.#stopRequested) {
      const observed = this.#observed;
      if (observed !== undefined && observed.spec.holderIdentity === this.identity)
        return this.#release(nowMs, observed);
      this.#transition(['stepping-down'], 'stopped', 'released', nowMs);
      return IDLE;
    }
    this.#transition(['stepping-down'], 'follower', 'stepped-down', nowMs);
    this.#nextAttemptAtMs = nowMs;
    return this.#step(nowMs);
  }

  /** Hands the Lease back: empty holder, leaseDurationSeconds 1 (client-go's ReleaseOnCancel). */
  #release(nowMs: number, lease: { resourceVersion: string; spec: LeaseSpec }): ElectionStep {
    this.#releaseAttempts += 1;
    // Carries the version read: if someone took over meanwhile, 409 leaves their Lease alone.
    return this.#send(nowMs, {
      kind: 'update',
      resourceVersion: lease.resourceVersion,
      spec: {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: microTime(nowMs),
        renewTime: microTime(nowMs),
        leaseTransitions: lease.spec.leaseTransitions,
      },
    });
  }

  /**
   * A release conflicts when a renewal abandoned on stepping down landed after all: read, and release
   * again while the Lease still names this replica (at most MAX_RELEASE_ATTEMPTS writes). Any other
   * answer ends it; an unreleased Lease simply expires.
   */
  #releaseAnswered(nowMs: number, response: LeaseResponse): ElectionStep {
    switch (response.outcome) {
      case 'written':
        this.#observeOwnWrite(response.lease, nowMs);
        break;
      case 'conflict':
        if (this.#releaseAttempts < MAX_RELEASE_ATTEMPTS) return this.#send(nowMs, { kind: 'get' });
        this.#trace(`leader election (${this.identity}): release not written (${describe(response)})`);
        break;
      case 'found':
        this.#observe(response.lease, nowMs);
        if (
          response.lease.spec.holderIdentity === this.identity &&
          this.#releaseAttempts < MAX_RELEASE_ATTEMPTS
        )
          return this.#release(nowMs, response.lease);
        break;
      default:
        this.#trace(`leader election (${this.identity}): release not written (${describe(response)})`);
    }
    this.#transition(['stepping-down'], 'stopped', 'released', nowMs);
    return IDLE;
  }

  #step(nowMs: number): ElectionStep {
    if (this.#state === 'leader' && nowMs >= this.#lastRenewSentMs + this.renewDeadlineMs) {
      this.#stepDown('renew-deadline', nowMs);
      return IDLE;
    }
    if (this.#state !== 'follower' && this.#state !== 'leader') return IDLE;
    if (
      this.#inFlight === undefined &&
      this.#nextAttemptAtMs !== undefined &&
      nowMs >= this.#nextAttemptAtMs
    ) {
      this.#nextAttemptAtMs = undefined;
      return this.#attempt(nowMs);
    }
    return { request: undefined, wakeAtMs: this.#wakeAt() };
  }

  #wakeAt(): number | undefined {
    const attempt = this.#inFlight === undefined ? this.#nextAttemptAtMs : undefined;
    const deadline = this.#state === 'leader' ? this.#lastRenewSentMs + this.renewDeadlineMs : undefined;
    if (attempt === undefined) return deadline;
    if (deadline === undefined) return attempt;
    return Math.min(attempt, deadline);
  }

  #attempt(nowMs: number): ElectionStep {
    const observed = this.#observed;
    if (
      this.#state === 'leader' &&
      observed !== undefined &&
      observed.spec.holderIdentity === this.identity
    ) {
      // The fast path: renew on the version we wrote last; a conflict falls back to a read.
      return this.#send(nowMs, {
        kind: 'update',
        resourceVersion: observed.resourceVersion,
        spec: this.#spec(nowMs, {
          acquireTime: observed.spec.acquireTime,
          leaseTransitions: observed.spec.leaseTransitions,
        }),
      });
    }
    return this.#send(nowMs, { kind: 'get' });
  }

  #decide(nowMs: number, lease: ObservedLease): ElectionStep {
    const holder = lease.spec.holderIdentity;
    const mine = holder === this.identity;
    if (holder !== '' && !mine && this.#valid(nowMs)) {
      if (this.#state === 'leader') {
        this.#stepDown('lost', nowMs);
        return IDLE;
      }
      // Wake when the observed lease can have expired, or at the next retry if that comes first.
      const expiresAtMs = (this.#observed?.atMs ?? nowMs) + lease.spec.leaseDurationSeconds * 1000;
      this.#nextAttemptAtMs = Math.min(nowMs + this.retryPeriodMs, expiresAtMs);
      return this.#step(nowMs);
    }
    const spec = mine
      ? this.#spec(nowMs, {
          acquireTime: lease.spec.acquireTime,
          leaseTransitions: lease.spec.leaseTransitions,
        })
      : this.#spec(nowMs, {
          acquireTime: microTime(nowMs),
          leaseTransitions: lease.spec.leaseTransitions + 1,
        });
    return this.#send(nowMs, { kind: 'update', spec, resourceVersion: lease.resourceVersion });
  }

  #written(nowMs: number, lease: ObservedLease, sentAtMs: number): ElectionStep {
    this.#observeOwnWrite(lease, nowMs);
    if (nowMs - sentAtMs >= this.renewDeadlineMs) {
      // An answer this late proves nothing about the time since: it does not count as a renewal.
      this.#trace(
        `leader election (${this.identity}): a write answered after ${nowMs - sentAtMs} ms does not count`,
      );
      if (this.#state === 'leader') {
        this.#stepDown('renew-deadline', nowMs);
        return IDLE;
      }
      this.#nextAttemptAtMs = nowMs;
      return this.#step(nowMs);
    }
    this.#lastRenewSentMs = sentAtMs;
    if (this.#state === 'follower') this.#transition(['follower'], 'leader', 'acquired', nowMs);
    this.#nextAttemptAtMs = nowMs + this.retryPeriodMs;
    return this.#step(nowMs);
  }

  #send(
    nowMs: number,
    request:
      | { kind: 'get' }
      | { kind: 'create'; spec: LeaseSpec }
      | { kind: 'update'; spec: LeaseSpec; resourceVersion: string },
  ): ElectionStep {
    const id = this.#nextId++;
    this.#inFlight = { id, kind: request.kind, sentAtMs: nowMs };
    return { request: { ...request, id }, wakeAtMs: this.#wakeAt() };
  }

  #spec(nowMs: number, fields: { acquireTime: string; leaseTransitions: number }): LeaseSpec {
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseDurationMs / 1000,
      acquireTime: fields.acquireTime,
      renewTime: microTime(nowMs),
      leaseTransitions: fields.leaseTransitions,
    };
  }

  #observe(lease: ObservedLease, nowMs: number): void {
    const raw = rawOf(lease.spec);
    if (this.#observed?.raw === raw) {
      this.#observed.resourceVersion = lease.resourceVersion;
      return;
    }
    this.#observed = { spec: lease.spec, raw, resourceVersion: lease.resourceVersion, atMs: nowMs };
  }

  #observeOwnWrite(lease: ObservedLease, nowMs: number): void {
    this.#observed = {
      spec: lease.spec,
      raw: rawOf(lease.spec),
      resourceVersion: lease.resourceVersion,
      atMs: nowMs,
    };
  }

  #valid(nowMs: number): boolean {
    const observed = this.#observed;
    return observed !== undefined && observed.atMs + observed.spec.leaseDurationSeconds * 1000 > nowMs;
  }

  #stepDown(reason: TransitionReason, nowMs: number): void {
    // The request in flight (a renewal) is abandoned: its answer can no longer make this replica lead.
    this.#inFlight = undefined;
    this.#nextAttemptAtMs = undefined;
    this.#transition(['leader'], 'stepping-down', reason, nowMs);
  }

  #transition(
    allowedFrom: readonly ElectionState[],
    to: ElectionState,
    reason: TransitionReason,
    nowMs: number,
  ): void {
    const from = this.#state;
    if (!allowedFrom.includes(from))
      throw new Error(`leader election: transition ${from} -> ${to} (${reason}) is not allowed`);
    this.#state = to;
    const transitions = this.#observed?.spec.leaseTransitions;
    this.#trace(
      `leader election: ${this.identity} ${from} -> ${to} (${reason}${transitions !== undefined ? `; lease transitions ${transitions}` : ''})`,
    );
    switch (to) {
      case 'leader':
      case 'follower':
        break;
      case 'stepping-down':
        this.#nextAttemptAtMs = undefined;
        break;
      case 'stopped':
        this.#inFlight = undefined;
        this.#nextAttemptAtMs = undefined;
        this.#releaseAttempts = 0;
        break;
      default:
        throw new Error(`leader election: unknown state ${String(to)}`);
    }
    const transition: ElectionTransition = { from, to, reason, atMs: nowMs };
    for (const listener of this.#listeners) listener(transition);
  }
}

function describe(outcome: LeaseOutcome): string {
  return 'message' in outcome ? `${outcome.outcome}: ${outcome.message}` : outcome.outcome;
}
