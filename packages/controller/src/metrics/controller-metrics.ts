import { Counter, Gauge, Registry } from 'prom-client';
import type { LoopStatus } from '../control/loop-status.js';
import type { PolicyEntry } from '../policies/policy-registry.js';

const LOOP_LABELS = ['policy_name', 'component_id'] as const;

/** One loop's tick, as the per-loop series show it. */
export interface LoopTick {
  readonly policyName: string;
  readonly componentId: string;
  readonly status: LoopStatus;
  /** Whether the agents were told to admit everything. */
  readonly passThrough: boolean;
  /** Whether the tick released a throttle that did not help (the alert counter). */
  readonly released: boolean;
}

/** The controller's Prometheus metrics, on a registry of its own (no global state). */
export class ControllerMetrics {
  readonly registry = new Registry();
  readonly #loadMultiplier = new Gauge({
    name: 'sluice_controller_load_multiplier',
    help: 'Desired load multiplier per load scheduler (maxLoadMultiplier while passing through).',
    labelNames: LOOP_LABELS,
    registers: [this.registry],
  });
  readonly #observed = new Gauge({
    name: 'sluice_controller_observed_load_multiplier',
    help: 'Accepted ÷ (accepted + rejected) tokens over the signal window.',
    labelNames: LOOP_LABELS,
    registers: [this.registry],
  });
  readonly #signal = new Gauge({
    name: 'sluice_controller_signal_ms',
    help: 'Mean OK-flow latency over the signal window (stalled flows beyond chance at their full duration), ms.',
    labelNames: LOOP_LABELS,
    registers: [this.registry],
  });
  readonly #setpoint = new Gauge({
    name: 'sluice_controller_setpoint_ms',
    help: 'Baseline × latencyToleranceMultiplier, ms.',
    labelNames: LOOP_LABELS,
    registers: [this.registry],
  });
  readonly #baseline = new Gauge({
    name: 'sluice_controller_baseline_ms',
    help: 'Long-term mean OK-flow latency, ms.',
    labelNames: LOOP_LABELS,
    registers: [this.registry],
  });
  readonly #errorRatio = new Gauge({
    name: 'sluice_controller_error_ratio',
    help: 'Share of admitted flows that failed on the server side (5xx, stalled) over the signal window.',
    labelNames: LOOP_LABELS,
    registers: [this.registry],
  });
  readonly #baselineErrorRatio = new Gauge({
    name: 'sluice_controller_baseline_error_ratio',
    help: 'Long-term share of admitted flows that failed on the server side.',
    labelNames: LOOP_LABELS,
    registers: [this.registry],
  });
  readonly #overloaded = new Gauge({
    name: 'sluice_controller_overloaded',
    help: '1 while the signal exceeds the setpoint or the error ratio its baseline by errorRatioTolerance.',
    labelNames: LOOP_LABELS,
    registers: [this.registry],
  });
  readonly #passThrough = new Gauge({
    name: 'sluice_controller_pass_through',
    help: '1 while agents are told to admit everything.',
    labelNames: LOOP_LABELS,
    registers: [this.registry],
  });
  readonly #releases = new Counter({
    name: 'sluice_controller_throttle_releases_total',
    help: 'Throttles released because latency did not improve (alert on any increase).',
    labelNames: LOOP_LABELS,
    registers: [this.registry],
  });
  readonly #policies = new Gauge({
    name: 'sluice_controller_policies',
    help: 'Policy sources by status.',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly #invalid = new Counter({
    name: 'sluice_controller_policy_invalid_total',
    help: 'Policy versions rejected as invalid.',
    registers: [this.registry],
  });
  readonly #agents = new Gauge({
    name: 'sluice_controller_connected_agents',
    help: 'Agents with an open AgentSync stream.',
    registers: [this.registry],
  });
  readonly #reports = new Counter({
    name: 'sluice_controller_agent_reports_total',
    help: 'Agent reports received.',
    registers: [this.registry],
  });
  readonly #leader = new Gauge({
    name: 'sluice_controller_leader',
    help: '1 while this replica leads (serves agents, runs the loops, writes status); 0 while it follows.',
    registers: [this.registry],
  });
  readonly #leadershipChanges = new Counter({
    name: 'sluice_controller_leadership_changes_total',
    help: 'Times this replica started or stopped leading, by the role it took.',
    labelNames: ['role'],
    registers: [this.registry],
  });

  readonly #apiRefusals = new Counter({
    name: 'sluice_controller_api_refusals_total',
    help: 'Requests the /v1 API refused, by reason (host, token, media-type, too-large, busy, bad-request, unavailable).',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly #syncRefusals = new Counter({
    name: 'sluice_controller_agent_sync_refusals_total',
    help: 'AgentSync streams refused before any message was read, by reason (unauthenticated, unavailable, principal-mismatch).',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly #controlPoints = new Gauge({
    name: 'sluice_controller_control_points',
    help: 'Control points held in the agent directory (summed over agents), after the last expiry sweep.',
    registers: [this.registry],
  });
  readonly #controlPointsDropped = new Counter({
    name: 'sluice_controller_control_points_dropped_total',
    help: 'Reported control points not kept, by reason (agent-cap: the agent already has the most allowed; too-long: a name past the limit).',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  /** Updates the per-loop series after a tick; `released` counts the alert. */
  loop(tick: LoopTick): void {
    const { policyName, componentId, status, passThrough, released } = tick;
    const labels = { policy_name: policyName, component_id: componentId };
    this.#loadMultiplier.set(labels, status.desiredLoadMultiplier);
    this.#overloaded.set(labels, status.overloaded ? 1 : 0);
    this.#passThrough.set(labels, passThrough ? 1 : 0);
    // An unknown value is left out rather than exported as NaN, which breaks most dashboards' math.
    if (status.signalMs !== undefined) this.#signal.set(labels, status.signalMs);
    else this.#signal.remove(labels);
    if (status.setpointMs !== undefined) this.#setpoint.set(labels, status.setpointMs);
    if (status.baselineMs !== undefined) this.#baseline.set(labels, status.baselineMs);
    if (status.errorRatio !== undefined) this.#errorRatio.set(labels, status.errorRatio);
    else this.#errorRatio.remove(labels);
    if (status.baselineErrorRatio !== undefined)
      this.#baselineErrorRatio.set(labels, status.baselineErrorRatio);
    if (status.observedLoadMultiplier !== undefined)
      this.#observed.set(labels, status.observedLoadMultiplier);
    if (released) this.#releases.inc(labels);
  }

  /** Drops the series of a loop whose policy was removed. */
  removeLoop(policyName: string, componentId: string): void {
    const labels = { policy_name: policyName, component_id: componentId };
    for (const gauge of [
      this.#loadMultiplier,
      this.#observed,
      this.#signal,
      this.#setpoint,
      this.#baseline,
      this.#errorRatio,
      this.#baselineErrorRatio,
      this.#overloaded,
      this.#passThrough,
    ])
      gauge.remove(labels);
  }

  policies(entries: readonly PolicyEntry[]): void {
    this.#policies.set({ status: 'Valid' }, entries.filter((entry) => entry.status === 'Valid').length);
    this.#policies.set({ status: 'Invalid' }, entries.filter((entry) => entry.status === 'Invalid').length);
  }

  invalidPolicy(): void {
    this.#invalid.inc();
  }

  agents(count: number): void {
    this.#agents.set(count);
  }

  report(): void {
    this.#reports.inc();
  }

  apiRefusal(reason: string): void {
    this.#apiRefusals.inc({ reason });
  }

  syncRefusal(reason: string): void {
    this.#syncRefusals.inc({ reason });
  }

  controlPoints(count: number): void {
    this.#controlPoints.set(count);
  }

  controlPointsDropped(reason: 'agent-cap' | 'too-long', count: number): void {
    if (count > 0) this.#controlPointsDropped.inc({ reason }, count);
  }

  /** Sets the leader gauge to the role this replica starts in (not counted as a change). */
  initialRole(role: 'leader' | 'follower'): void {
    this.#leader.set(role === 'leader' ? 1 : 0);
  }

  /** Sets the leader gauge and counts the change in `sluice_controller_leadership_changes_total{role}`. */
  roleChanged(role: 'leader' | 'follower'): void {
    this.initialRole(role);
    this.#leadershipChanges.inc({ role });
  }
}
