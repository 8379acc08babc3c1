import type { Clock, TimerHandle } from '@sluice/clock';
import type { LeaseClient } from './lease-client.js';
import type {
  ElectionState,
  ElectionStep,
  ElectionTransition,
  LeaseElection,
  LeaseRequest,
  TransitionReason,
} from './lease-election.js';

export interface LeaderElectorOptions {
  /** The state machine; its identity and timings are the elector's. */
  readonly election: LeaseElection;
  readonly client: LeaseClient;
  readonly clock: Clock;
  /** Called, synchronously, on becoming leader: start serving agents, ticking loops, writing status. */
  readonly onStartedLeading: () => void;
  /**
   * Called on stepping down (lost the Lease, missed the renew deadline, or shutting down). Leadership
   * counts as given up when the promise settles; only then may the Lease be released or sought again.
   */
  readonly onStoppedLeading: (reason: TransitionReason) => Promise<void>;
  /** How often a due wake-up is looked for. @default 100 */
  readonly resolutionMs?: number;
  /** @default console.warn */
  readonly warn?: (message: string) => void;
}

/**
 * Runs a LeaseElection against a LeaseClient on a Clock: the thin I/O adapter around the pure state
 * machine. It sends each request the election asks for, feeds the answer back, wakes it when due,
 * and maps transitions onto the embedder's callbacks.
 */
export class LeaderElector {
  readonly #options: LeaderElectorOptions;
  readonly #election: LeaseElection;
  readonly #warn: (message: string) => void;
  readonly #stopped: Promise<void>;
  #resolveStopped: () => void = () => undefined;
  #wakeAtMs: number | undefined;
  #cancelTimer: TimerHandle | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#options = options;
    this.#election = options.election;
    this.#warn = options.warn ?? ((message) => console.warn(message));
    this.#stopped = new Promise((resolve) => (this.#resolveStopped = resolve));
    this.#election.onTransition((transition) => this.#onTransition(transition));
  }

  get state(): ElectionState {
    return this.#election.state;
  }

  get identity(): string {
    return this.#election.identity;
  }

  /** The current holder as last observed (this replica while it leads), if the Lease has not expired. */
  leader(): string | undefined {
    return this.#election.leader(this.#options.clock.wallNow());
  }

  start(): void {
    this.#cancelTimer = this.#options.clock.setInterval(this.#options.resolutionMs ?? 100, () =>
      this.#tick(),
    );
    this.#apply(this.#election.start(this.#options.clock.wallNow()));
  }

  /** Steps down if leading, releases the Lease, and resolves once the election has stopped. */
  stop(): Promise<void> {
    if (this.#election.state !== 'stopped') this.#apply(this.#election.stop(this.#options.clock.wallNow()));
    return this.#stopped;
  }

  #tick(): void {
    if (this.#wakeAtMs === undefined || this.#options.clock.wallNow() < this.#wakeAtMs) return;
    this.#apply(this.#election.wake(this.#options.clock.wallNow()));
  }

  #apply(step: ElectionStep): void {
    this.#wakeAtMs = step.wakeAtMs;
    if (step.request !== undefined) this.#send(step.request);
  }

  #send(request: LeaseRequest): void {
    const { client } = this.#options;
    const pending =
      request.kind === 'get'
        ? client.get()
        : request.kind === 'create'
          ? client.create(request.spec)
          : client.update(request.spec, request.resourceVersion);
    void pending
      .catch((error: unknown) => ({ outcome: 'failed' as const, message: (error as Error).message }))
      .then((outcome) =>
        this.#apply(this.#election.receive(this.#options.clock.wallNow(), { ...outcome, id: request.id })),
      );
  }

  #onTransition(transition: ElectionTransition): void {
    switch (transition.to) {
      case 'leader':
        try {
          this.#options.onStartedLeading();
        } catch (error) {
          this.#warn(`leader election: starting to lead failed: ${(error as Error).message}`);
        }
        return;
      case 'stepping-down':
        void this.#options
          .onStoppedLeading(transition.reason)
          .catch((error: unknown) =>
            this.#warn(`leader election: stepping down failed: ${(error as Error).message}`),
          )
          .then(() => this.#apply(this.#election.steppedDown(this.#options.clock.wallNow())));
        return;
      case 'stopped':
        this.#wakeAtMs = undefined;
        this.#cancelTimer?.cancel();
        this.#resolveStopped();
        return;
      case 'follower':
        return;
    }
  }
}
