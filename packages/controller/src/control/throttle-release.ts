/**
 * The release of a throttle that does not help: latency from a slow dependency, or errors the upstream
 * returns whatever it is sent, do not improve when admission falls, and a throttle must never be stuck.
 * Each signal window of overload is compared with the one before; after `releaseAfterWindows` windows
 * in a row without improvement the throttle is released (and alerted). Pure.
 */

/** A window's signal must fall by at least this fraction to count as an improvement. */
export const IMPROVEMENT_FRACTION = 0.01;

export interface ReleaseParameters {
  /** The least fall of the signal over a window that counts as an improvement, in [0, 1). @default IMPROVEMENT_FRACTION (0.01) */
  readonly improvementFraction: number;
}

export const DEFAULT_RELEASE_PARAMETERS: ReleaseParameters = { improvementFraction: IMPROVEMENT_FRACTION };

/** The comparison in progress; a new one starts on every tick without overload. */
export interface ImprovementState {
  /** The cut signal when the current window started, ms. */
  readonly windowStartSignalMs: number | undefined;
  /** Overloaded ticks counted in the current window. */
  readonly ticksInWindow: number;
  /** Windows in a row whose signal did not improve. */
  readonly windowsWithoutImprovement: number;
}

export const NO_IMPROVEMENT_TRACKED: ImprovementState = {
  windowStartSignalMs: undefined,
  ticksInWindow: 0,
  windowsWithoutImprovement: 0,
};

/** Starts a comparison at `signalMs`: when a throttle begins, and on every tick without overload. */
export function improvementFrom(signalMs: number): ImprovementState {
  return { windowStartSignalMs: signalMs, ticksInWindow: 0, windowsWithoutImprovement: 0 };
}

export interface ImprovementInput {
  /** This overloaded tick's cut signal, ms. */
  readonly signalMs: number;
  /** The signal window in ticks. */
  readonly windowTicks: number;
  /** The policy's `releaseAfterWindows`. */
  readonly releaseAfterWindows: number;
}

export interface ImprovementVerdict {
  readonly state: ImprovementState;
  /** True when this tick ended the `releaseAfterWindows`th window in a row without improvement. */
  readonly release: boolean;
}

/**
 * Counts an overloaded tick of a throttle. At the end of each window the signal is compared with the
 * window's start: a fall of at least `improvementFraction` resets the count of windows without
 * improvement, anything else adds one; reaching `releaseAfterWindows` releases.
 */
export function trackImprovement(
  state: ImprovementState,
  input: ImprovementInput,
  parameters: ReleaseParameters = DEFAULT_RELEASE_PARAMETERS,
): ImprovementVerdict {
  const ticksInWindow = state.ticksInWindow + 1;
  if (ticksInWindow < input.windowTicks) return { state: { ...state, ticksInWindow }, release: false };
  const start = state.windowStartSignalMs ?? input.signalMs;
  const windowsWithoutImprovement =
    input.signalMs <= start * (1 - parameters.improvementFraction) ? 0 : state.windowsWithoutImprovement + 1;
  return {
    state: { windowStartSignalMs: input.signalMs, ticksInWindow: 0, windowsWithoutImprovement },
    release: windowsWithoutImprovement >= input.releaseAfterWindows,
  };
}
