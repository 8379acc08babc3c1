/**
 * The additive increase of a throttle on a tick without overload, held under the probe cap and above
 * the capacity floor. Pure; the arithmetic is additiveIncrease (aimd-step.ts).
 */
import { additiveIncrease } from './aimd-step.js';
import {
  DEFAULT_PROBE_PARAMETERS,
  probeAfterIncrease,
  probeCap,
  type ProbeParameters,
  type ProbeState,
} from './probe-cap.js';

export interface ThrottleIncreaseInput {
  /** The multiplier in force. */
  readonly current: number;
  /** accepted ÷ (accepted + rejected) tokens over the window; undefined without token counters. */
  readonly observedLoadMultiplier: number | undefined;
  /** Ticks without overload since the last overloaded tick, this one included. */
  readonly ticksSinceOverload: number;
  readonly linearIncrement: number;
  /** The measured capacity in completions per tick; undefined while unknown. */
  readonly capacityPerTick: number | undefined;
  /** Mean incoming tokens per tick over the signal window. */
  readonly incomingPerTick: number;
  readonly probe: ProbeState;
  /** The signal window in ticks. */
  readonly windowTicks: number;
  /** The capacity floor. */
  readonly floor: number;
}

export interface ThrottleIncrease {
  readonly loadMultiplier: number;
  readonly probe: ProbeState;
}

/**
 * observed + linearIncrement × ticks since the overload (the current multiplier without counters),
 * at most the probe cap as it stood before this tick, at least the floor; the probe counts the tick.
 */
export function throttleIncrease(
  input: ThrottleIncreaseInput,
  parameters: ProbeParameters = DEFAULT_PROBE_PARAMETERS,
): ThrottleIncrease {
  const increased = additiveIncrease({
    observedLoadMultiplier: input.observedLoadMultiplier ?? input.current,
    ticksSinceOverload: input.ticksSinceOverload,
    linearIncrement: input.linearIncrement,
  });
  const cap = probeCap(
    {
      capacityPerTick: input.capacityPerTick,
      incomingPerTick: input.incomingPerTick,
      gain: input.probe.gain,
    },
    parameters,
  );
  return {
    loadMultiplier: Math.max(Math.min(increased, cap), input.floor),
    probe: probeAfterIncrease(
      input.probe,
      { heldAtCap: increased > cap, windowTicks: input.windowTicks },
      parameters,
    ),
  };
}
