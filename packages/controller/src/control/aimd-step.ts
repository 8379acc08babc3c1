/**
 * The AIMD arithmetic of Aperture's AIMDLoadScheduler (reference §5.2), as pure functions. The
 * average-latency loop decides when each applies; these only compute.
 */

export interface GradientCutInput {
  /** Latency the loop aims for (baseline × tolerance), ms. */
  readonly setpointMs: number;
  /** Current mean OK latency, ms. */
  readonly signalMs: number;
  /** Load multiplier the agents achieved (accepted ÷ incoming tokens). */
  readonly observedLoadMultiplier: number;
  readonly minGradient: number;
  readonly maxGradient: number;
}

/**
 * Multiplicative decrease: observed × clamp(setpoint / signal, minGradient, maxGradient), never
 * below 0. With Aperture's slope −1 the gradient is setpoint/signal, so one cut removes at most
 * (1 − minGradient) of the load and never increases it.
 */
export function gradientCut(input: GradientCutInput): number {
  const gradient = Math.min(
    input.maxGradient,
    Math.max(input.minGradient, input.setpointMs / input.signalMs),
  );
  return Math.max(0, input.observedLoadMultiplier * gradient);
}

export interface AdditiveIncreaseInput {
  readonly observedLoadMultiplier: number;
  /** Ticks without overload since the last overloaded tick (the first such tick is 1). */
  readonly ticksSinceOverload: number;
  /** Added per tick. */
  readonly linearIncrement: number;
}

/**
 * Additive increase: observed + the increments accumulated since the last overload (Aperture's
 * integrator, reset on overload). Building on the observed multiplier rather than the commanded
 * one keeps the loop from winding up a multiplier the agents cannot realise.
 */
export function additiveIncrease(input: AdditiveIncreaseInput): number {
  return input.observedLoadMultiplier + input.ticksSinceOverload * input.linearIncrement;
}

/** At or above maxLoadMultiplier the scheduler is bypassed (Aperture emits NaN there). */
export function isPassThrough(loadMultiplier: number, maxLoadMultiplier: number): boolean {
  return !Number.isFinite(loadMultiplier) || loadMultiplier >= maxLoadMultiplier;
}
