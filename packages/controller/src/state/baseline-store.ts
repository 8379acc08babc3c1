import type { BaselineState } from '../control/latency-baseline.js';

/**
 * Where control-loop baselines survive a restart: a state directory in file mode, the FlowPolicy
 * status in Kubernetes mode. Keys are `<policy name>/<component id>`.
 */
export interface BaselineStore {
  /** The saved baseline, or undefined when there is none or it cannot be read (a reason is logged). */
  load(key: string): BaselineState | undefined;
  /** Saves a baseline; failures are the store's to log, never the control loop's to handle. */
  save(key: string, state: BaselineState): void;
}

/** Keeps baselines in memory only (tests, and a controller without a state directory). */
export class MemoryBaselineStore implements BaselineStore {
  readonly saved = new Map<string, BaselineState>();

  load(key: string): BaselineState | undefined {
    return this.saved.get(key);
  }

  save(key: string, state: BaselineState): void {
    this.saved.set(key, state);
  }
}
