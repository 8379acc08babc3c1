import type { Clock } from '@sluice/clock';

/** Senders the budget keeps apart; past it, new senders share one entry (a node runs ≤ 250 pods). */
export const MAX_LOG_PEERS = 1024;
/** A sender silent this long no longer counts as active (and its entry goes). */
export const LOG_PEER_IDLE_MS = 10_000;
/** The entry every sender past MAX_LOG_PEERS shares. */
const OVERFLOW_PEER = '*';

export interface PeerLogBudgetOptions {
  readonly clock: Clock;
  /** Records read per second in all (`accessLogMaxRecordsPerSecond`); one second of them is the burst. */
  readonly recordsPerSecond: number;
  /** A sender's share while the budget is contended. @default recordsPerSecond ÷ active senders */
  readonly recordsPerSecondPerPeer?: number;
  /** @default MAX_LOG_PEERS */
  readonly maxPeers?: number;
  /** Called with the records dropped because their sender was past its share. */
  readonly onOverShare?: (records: number) => void;
}

interface PeerState {
  /** Records this sender may still have read under contention; refills at its share, up to 1 s of it. */
  available: number;
  lastFillMs: number;
  lastSeenMs: number;
}

/** How many records of one sender's batch are read, and how many of the rest were over its share. */
export interface PeerAdmission {
  readonly admitted: number;
  readonly overShare: number;
}

/**
 * The agent's access-log budget shared among senders, so one cannot crowd out the others. A token
 * bucket of `recordsPerSecond` (full at start, one second deep) limits the records read in all, as
 * before. While it holds more than half a second of records, anyone may take from that upper half.
 * Below, the budget is contended and a sender takes only from its own share bucket, which refills
 * at `recordsPerSecondPerPeer` (default: a fair share, the budget divided by the senders seen in
 * the last 10 s). A flooding sender then drains the upper half and is held to its share; a sender
 * within its share always finds the lower half, which only shares refill into. With no contention
 * nobody is held back (one busy pod on a quiet node keeps the whole budget).
 *
 * Senders are peer IPs. The table is bounded (MAX_LOG_PEERS; senders past it share one entry) and
 * forgets senders idle for 10 s. Pure: no timers, no I/O, the agent's clock.
 */
export class PeerLogBudget {
  private readonly capacity: number;
  private available: number;
  private lastFillMs: number;
  private readonly peers = new Map<string, PeerState>();
  private readonly maxPeers: number;
  private nextSweepMs: number;

  /** @throws RangeError when a rate is not a positive finite number. */
  constructor(private readonly options: PeerLogBudgetOptions) {
    for (const [name, value] of [
      ['recordsPerSecond', options.recordsPerSecond],
      ['recordsPerSecondPerPeer', options.recordsPerSecondPerPeer ?? 1],
    ] as const)
      if (!Number.isFinite(value) || value <= 0)
        throw new RangeError(`access-log budget: ${name} ${value} must be a positive number`);
    this.capacity = options.recordsPerSecond;
    this.available = this.capacity;
    this.lastFillMs = options.clock.now();
    this.maxPeers = options.maxPeers ?? MAX_LOG_PEERS;
    this.nextSweepMs = this.lastFillMs + LOG_PEER_IDLE_MS;
  }

  /** Senders that sent in the last 10 s. */
  get activePeers(): number {
    return this.peers.size;
  }

  /** A sender's share now, records/s. */
  get sharePerSecond(): number {
    return this.options.recordsPerSecondPerPeer ?? this.capacity / Math.max(1, this.peers.size);
  }

  /** Takes up to `records` and returns how many of them may be read now (the caller drops the rest). */
  admit(records: number, peer: string): number {
    return this.admitFrom(records, peer).admitted;
  }

  /** `admit`, with the records refused for being over the sender's share. */
  admitFrom(records: number, peer: string): PeerAdmission {
    const nowMs = this.options.clock.now();
    if (nowMs >= this.nextSweepMs) this.sweep(nowMs);
    const state = this.peerState(peer, nowMs);
    this.refill(nowMs);
    const share = this.sharePerSecond;
    const elapsed = Math.max(0, nowMs - state.lastFillMs);
    state.available = Math.min(share, state.available + (share * elapsed) / 1000);
    state.lastFillMs = nowMs;

    const wanted = Math.max(0, Math.floor(records));
    const free = Math.max(0, Math.floor(this.available - this.capacity / 2));
    const fromFree = Math.min(wanted, free);
    const fromShare = Math.min(
      wanted - fromFree,
      Math.floor(state.available),
      Math.floor(this.available) - fromFree,
    );
    const admitted = fromFree + Math.max(0, fromShare);
    this.available -= admitted;
    // Records from the free half count against the share too: a sender that just flooded starts
    // the contention with nothing left of its own.
    state.available = Math.max(0, state.available - admitted);
    // Over share: refused while the budget still had records left for others.
    const overShare = Math.min(wanted - admitted, Math.max(0, Math.floor(this.available)));
    if (overShare > 0) this.options.onOverShare?.(overShare);
    return { admitted, overShare };
  }

  private refill(nowMs: number): void {
    const elapsed = nowMs - this.lastFillMs;
    if (elapsed <= 0) return;
    this.available = Math.min(this.capacity, this.available + (this.capacity * elapsed) / 1000);
    this.lastFillMs = nowMs;
  }

  private peerState(peer: string, nowMs: number): PeerState {
    let state = this.peers.get(peer);
    if (state === undefined) {
      const key = this.peers.size >= this.maxPeers ? OVERFLOW_PEER : peer;
      state = this.peers.get(key);
      if (state === undefined) {
        // A new sender starts with a full share, as the budget does.
        const share = this.options.recordsPerSecondPerPeer ?? this.capacity / (this.peers.size + 1);
        state = { available: share, lastFillMs: nowMs, lastSeenMs: nowMs };
        this.peers.set(key, state);
      }
    }
    state.lastSeenMs = nowMs;
    return state;
  }

  private sweep(nowMs: number): void {
    for (const [peer, state] of this.peers)
      if (nowMs - state.lastSeenMs >= LOG_PEER_IDLE_MS) this.peers.delete(peer);
    this.nextSweepMs = nowMs + LOG_PEER_IDLE_MS / 10;
  }
}
