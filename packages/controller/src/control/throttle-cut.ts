/**
 * The multiplicative decrease of a throttle: when an overloaded tick may cut, and to what. Pure; the
 * arithmetic is gradientCut (aimd-step.ts).
 */
import { gradientCut } from './aimd-step.js';

export interface ThrottleCutInput {
  /** The loop's tick count, this tick included. */
  readonly tick: number;
  /** The tick of the last cut; −Infinity when the throttle has not cut yet. */
  readonly lastCutTick: number;
  /** The signal window in ticks. */
  readonly windowTicks: number;
  /** Whether the overload condition lets this tick cut (OverloadCondition.cutAllowed). */
  readonly cutAllowed: boolean;
  /** The multiplier in force while throttling; undefined while passing through. */
  readonly current: number | undefined;
  /** accepted ÷ (accepted + rejected) tokens over the window; undefined without token counters. */
  readonly observedLoadMultiplier: number | undefined;
  readonly setpointMs: number;
  /** What the cut measures (OverloadCondition.cutSignalMs, the setpoint when it has none). */
  readonly cutSignalMs: number;
  readonly minGradient: number;
  readonly maxGradient: number;
  /** The least the cut goes to (the capacity floor). */
  readonly floor: number;
}

/**
 * The multiplier after this tick's cut, or undefined when no cut is due: at most one cut per signal
 * window, because the window still holds the samples that caused the last one and cutting again on them
 * would compound one observation. The cut is observed × clamp(setpoint ÷ cut signal, minGradient,
 * maxGradient), never below `floor`; out of pass-through the agents admitted everything, so without
 * token counters the base is 1.
 */
export function throttleCut(input: ThrottleCutInput): number | undefined {
  if (!(input.tick - input.lastCutTick >= input.windowTicks) || !input.cutAllowed) return undefined;
  const cut = gradientCut({
    setpointMs: input.setpointMs,
    signalMs: input.cutSignalMs,
    observedLoadMultiplier: input.observedLoadMultiplier ?? input.current ?? 1,
    minGradient: input.minGradient,
    maxGradient: input.maxGradient,
  });
  return Math.max(cut, input.floor);
}
