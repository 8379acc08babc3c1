/**
 * The states of an average-latency loop and the transitions between them (traced, with a reason):
 *
 *   warming-up ─warmed-up→ pass-through ─overloaded→ throttling ─recovered→ pass-through
 *   throttling ─not-improving→ released ─cooled-down→ pass-through
 *   pass-through | throttling | released ─signal-lost→ no-signal ─signal-back→ pass-through
 *
 * - `warming-up`: no baseline yet; pass-through while the baseline learns. Silence keeps it here.
 * - `pass-through`: baseline known, no throttle; agents admit everything and the baselines learn.
 * - `throttling`: a load multiplier below maxLoadMultiplier is in force.
 * - `released`: a throttle that did not improve the signal was lifted; pass-through for a cool-down.
 * - `no-signal`: agents silent or no flows in the signal window; pass-through, the throttle forgotten.
 */
export type LoopState = 'warming-up' | 'pass-through' | 'throttling' | 'released' | 'no-signal';

export type LoopTransitionReason =
  /** warming-up → pass-through: the baseline has learnt its warm-up. */
  | 'warmed-up'
  /** no-signal → pass-through: reports with flows are back. */
  | 'signal-back'
  /** pass-through → throttling: the first cut. */
  | 'overloaded'
  /** throttling → pass-through: the additive increase reached maxLoadMultiplier. */
  | 'recovered'
  /** throttling → released: releaseAfterWindows windows without improvement. */
  | 'not-improving'
  /** released → pass-through: the cool-down is over. */
  | 'cooled-down'
  /** pass-through, throttling or released → no-signal: no report, or no flows, in the signal window. */
  | 'signal-lost';

export interface LoopTransition {
  /** The loop's tick count when it happened. */
  readonly tick: number;
  readonly from: LoopState;
  readonly to: LoopState;
  readonly reason: LoopTransitionReason;
}
