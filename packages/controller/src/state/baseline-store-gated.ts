import type { BaselineState } from '../control/latency-baseline.js';
import type { BaselineStore } from './baseline-store.js';

export interface GatedBaselineStoreOptions {
  readonly store: BaselineStore;
  /** Whether saves go through now (with leader election: while this replica leads). */
  readonly open: () => boolean;
}

/**
 * A baseline store that loads always and saves only while `open()`: a follower must never write
 * its own (unlearned) baselines over the ones the leader persists.
 */
export class GatedBaselineStore implements BaselineStore {
  readonly #options: GatedBaselineStoreOptions;

  constructor(options: GatedBaselineStoreOptions) {
    this.#options = options;
  }

  load(key: string): BaselineState | undefined {
    return this.#options.store.load(key);
  }

  save(key: string, state: BaselineState): void {
    if (this.#options.open()) this.#options.store.save(key, state);
  }
}
