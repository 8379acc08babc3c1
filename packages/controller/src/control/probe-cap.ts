/**
 * The probe cap: once the upstream's capacity is measured, the additive increase stops at
 * `capacityShare` of it instead of probing above it, which rebuilt the drained backlog each time, one
 * latency spike per probe. Probes raise the estimate by `headroom` now and then, so an upstream that
 * scaled out is found geometrically, as TCP's slow start finds bandwidth. Pure.
 */
import { DEFAULT_CAPACITY_PARAMETERS, type CapacityParameters } from './capacity-estimate.js';

/** A probe raises the capacity estimate by this factor. */
export const PROBE_HEADROOM = 1.1;

/**
 * Signal windows spent at the probe cap before the capacity estimate is raised after an overload. A
 * probe that overloads costs a few ticks of backlog, so after one the loop waits this long; a raise
 * that did not overload is followed by the next after PROBE_SETTLE_WINDOWS.
 */
export const PROBE_BACKOFF_WINDOWS = 15;

/**
 * Windows a raise must stay without overload before the next: more than one, because an overload shows
 * in the signal only after log batching and a report interval, which can exceed a short window.
 */
export const PROBE_SETTLE_WINDOWS = 2;

export interface ProbeParameters extends Pick<CapacityParameters, 'capacityShare'> {
  /** Factor by which a probe raises the capacity estimate, ≥ 1. @default PROBE_HEADROOM (1.1) */
  readonly headroom: number;
  /** Windows at the cap after an overload before the first raise. @default PROBE_BACKOFF_WINDOWS (15) */
  readonly backoffWindows: number;
  /** Windows at the cap after a raise before the next. @default PROBE_SETTLE_WINDOWS (2) */
  readonly settleWindows: number;
}

export const DEFAULT_PROBE_PARAMETERS: ProbeParameters = {
  capacityShare: DEFAULT_CAPACITY_PARAMETERS.capacityShare,
  headroom: PROBE_HEADROOM,
  backoffWindows: PROBE_BACKOFF_WINDOWS,
  settleWindows: PROBE_SETTLE_WINDOWS,
};

/** Where a throttle's probing stands; reset with the throttle. */
export interface ProbeState {
  /** The raises so far, as one factor on the measured capacity (headroom per raise). */
  readonly gain: number;
  /** Ticks in a row the additive increase was held at the cap. */
  readonly ticksAtCap: number;
  /** Ticks at the cap the next raise waits for. */
  readonly waitTicks: number;
}

export const NO_PROBE: ProbeState = { gain: 1, ticksAtCap: 0, waitTicks: 0 };

export interface ProbeCapInput {
  /** The measured capacity in completions per tick; undefined while unknown. */
  readonly capacityPerTick: number | undefined;
  /** Mean incoming tokens per tick over the signal window. */
  readonly incomingPerTick: number;
  readonly gain: number;
}

/**
 * The largest multiplier the additive increase may reach: capacityShare × the measured capacity
 * (raised by probes) ÷ the incoming rate. None (Infinity) while the capacity is unknown or the
 * incoming load fits in it, so a drop in load still climbs to pass-through.
 */
export function probeCap(
  input: ProbeCapInput,
  parameters: Pick<ProbeParameters, 'capacityShare'> = DEFAULT_PROBE_PARAMETERS,
): number {
  const { capacityPerTick, incomingPerTick } = input;
  if (capacityPerTick === undefined || !(incomingPerTick > 0)) return Number.POSITIVE_INFINITY;
  const cap = (parameters.capacityShare * capacityPerTick * input.gain) / incomingPerTick;
  return cap >= 1 ? Number.POSITIVE_INFINITY : cap;
}

/** After an overloaded tick: the count at the cap starts over, and the next raise waits backoffWindows. */
export function probeAfterOverload(
  probe: ProbeState,
  windowTicks: number,
  parameters: Pick<ProbeParameters, 'backoffWindows'> = DEFAULT_PROBE_PARAMETERS,
): ProbeState {
  return { gain: probe.gain, ticksAtCap: 0, waitTicks: parameters.backoffWindows * windowTicks };
}

/** A new measurement of the capacity: probes start over from it. */
export function probeAfterMeasurement(probe: ProbeState): ProbeState {
  return { ...probe, gain: 1 };
}

/**
 * After a tick of additive increase: counts the ticks the increase was held at the cap (a tick below
 * it starts the count over) and, once they reach `waitTicks`, raises the estimate by `headroom`; the
 * next raise then waits settleWindows.
 */
export function probeAfterIncrease(
  probe: ProbeState,
  input: { readonly heldAtCap: boolean; readonly windowTicks: number },
  parameters: Pick<ProbeParameters, 'headroom' | 'settleWindows'> = DEFAULT_PROBE_PARAMETERS,
): ProbeState {
  const ticksAtCap = input.heldAtCap ? probe.ticksAtCap + 1 : 0;
  if (ticksAtCap < probe.waitTicks) return { ...probe, ticksAtCap };
  return {
    gain: probe.gain * parameters.headroom,
    ticksAtCap: 0,
    waitTicks: parameters.settleWindows * input.windowTicks,
  };
}
