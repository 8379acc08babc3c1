/**
 * The load shapes control quality is measured under, each run both without control and with the
 * average-latency policy. Every run lasts under 90 s: stages are Aperture's, scaled down. Pure.
 */
import { overloadWavePlan, type LoadPlanInput } from '@sluice/demo';

export type ScenarioName = 'step' | 'wave';

export interface Scenario {
  readonly name: ScenarioName;
  readonly description: string;
  /** The demo upstream: N workers of L ms each (capacity N × 1000 / L requests/s). */
  readonly upstream: { readonly concurrency: number; readonly latencyMs: number };
  readonly plan: LoadPlanInput;
  /** ms since the load's start when the overload begins (its ramp, for the wave). */
  readonly stepMs: number;
  /** ms since the load's start when the load falls back. */
  readonly dropMs: number;
}

/**
 * The baseline outlasts the agent's 5 s token-rate window (it admits everything while that fills) and
 * the policy's 5 s warm-up, as in the e2e test, so control can begin at the step.
 */
const BASELINE_MS = 15_000;
const OVERLOAD_MS = 30_000;
/** Long enough to see pass-through return (the target is 60 s; runs stay under 90 s). */
const RECOVERY_MS = 40_000;

/**
 * Open-loop step (issue 8's e2e shape): subscribers 0.6× and guests 2.4× capacity against a small
 * upstream (2 workers × 100 ms = 20 requests/s), small so a shared 2-core machine does not starve the
 * control loop of CPU.
 */
export function stepScenario(): Scenario {
  const upstream = { concurrency: 2, latencyMs: 100 };
  const capacityRps = (upstream.concurrency * 1000) / upstream.latencyMs;
  return {
    name: 'step',
    description: 'open-loop step: subscribers 0.6× and guests 2.4× capacity',
    upstream,
    plan: overloadWavePlan({
      capacityRps,
      baselineMs: BASELINE_MS,
      overloadMs: OVERLOAD_MS,
      recoveryMs: RECOVERY_MS,
    }),
    stepMs: BASELINE_MS,
    dropMs: BASELINE_MS + OVERLOAD_MS,
  };
}

/**
 * Aperture's playground wave, closed loop: 5 virtual users per workload, a ramp to 50, a ramp back to
 * 5 (Aperture: 2 min stages; here seconds). The upstream has more workers than the baseline's 10
 * users, so the baseline does not queue, and 12 × 200 ms = 60 requests/s against 100 users overloads it.
 */
export function waveScenario(): Scenario {
  const upstream = { concurrency: 12, latencyMs: 200 };
  const rampUpMs = 5_000;
  const rampDownMs = 2_000;
  const workload = (name: string, userType: string, prefix: string) => ({
    name,
    kind: 'closed-loop' as const,
    headers: { 'user-type': userType },
    userIds: { count: 100, prefix },
  });
  const both = (users: number) => ({ subscribers: users, guests: users });
  return {
    name: 'wave',
    description: "Aperture's wave: 5 → 50 → 5 virtual users per workload, closed loop",
    upstream,
    plan: {
      workloads: [workload('subscribers', 'subscriber', 's'), workload('guests', 'guest', 'g')],
      stages: [
        { name: 'baseline', durationMs: 2_000, ramp: 'linear', targets: both(5) },
        { name: 'baseline', durationMs: BASELINE_MS - 2_000, targets: both(5) },
        { name: 'overload', durationMs: rampUpMs, ramp: 'linear', targets: both(50) },
        { name: 'overload', durationMs: OVERLOAD_MS - rampUpMs, targets: both(50) },
        { name: 'recovery', durationMs: rampDownMs, ramp: 'linear', targets: both(5) },
        { name: 'recovery', durationMs: RECOVERY_MS - rampDownMs, targets: both(5) },
      ],
    },
    stepMs: BASELINE_MS,
    dropMs: BASELINE_MS + OVERLOAD_MS,
  };
}
