import type { BucketParameters } from './bucket-parameters.js';

/** A bucket's persisted state. `lastFillMs` is the time fill was last accounted up to. */
export interface BucketState {
  available: number;
  lastFillMs: number;
}

/** A new bucket: full, as Aperture's are, so the first burst up to capacity passes. */
export function newBucketState(parameters: BucketParameters, nowMs: number): BucketState {
  return { available: parameters.capacity, lastFillMs: nowMs };
}

/**
 * Accrues tokens up to `nowMs`. Continuous fill adds fillAmount × elapsed/interval; interval fill
 * adds fillAmount per whole interval elapsed and keeps the remainder for the next call.
 * A clock that stepped backwards accrues nothing (and does not rewind lastFillMs).
 */
export function refill(state: BucketState, parameters: BucketParameters, nowMs: number): void {
  const elapsed = nowMs - state.lastFillMs;
  if (elapsed <= 0) return;
  if (parameters.continuousFill) {
    state.available = Math.min(
      parameters.capacity,
      state.available + (parameters.fillAmount * elapsed) / parameters.intervalMs,
    );
    state.lastFillMs = nowMs;
    return;
  }
  const intervals = Math.floor(elapsed / parameters.intervalMs);
  if (intervals === 0) return;
  state.available = Math.min(parameters.capacity, state.available + intervals * parameters.fillAmount);
  state.lastFillMs += intervals * parameters.intervalMs;
}

/** Milliseconds until `tokens` are available, given the state already refilled to nowMs. */
export function waitForTokens(
  state: BucketState,
  parameters: BucketParameters,
  tokens: number,
  nowMs: number,
): number {
  const deficit = tokens - state.available;
  if (deficit <= 0) return 0;
  if (parameters.fillAmount <= 0 || tokens > parameters.capacity) return Infinity;
  if (parameters.continuousFill) return (deficit * parameters.intervalMs) / parameters.fillAmount;
  const intervals = Math.ceil(deficit / parameters.fillAmount);
  return state.lastFillMs + intervals * parameters.intervalMs - nowMs;
}

/** Take-if-available on a state: subtracts only when every token is there. */
export function takeFromState(
  state: BucketState,
  parameters: BucketParameters,
  tokens: number,
  nowMs: number,
): { allowed: boolean; remaining: number; waitMs: number } {
  refill(state, parameters, nowMs);
  if (state.available >= tokens) {
    state.available -= tokens;
    return { allowed: true, remaining: state.available, waitMs: 0 };
  }
  return {
    allowed: false,
    remaining: state.available,
    waitMs: waitForTokens(state, parameters, tokens, nowMs),
  };
}
