/** Samples the controller's control loop a few times a second while a load runs, for timing assertions. */
import type { ControlLoopView, Topology } from './topology.js';

export interface LoopSample extends ControlLoopView {
  /** ms since the recorder's origin (the load's start). */
  readonly t: number;
}

export class LoopRecorder {
  readonly samples: LoopSample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(
    private readonly topology: Topology,
    private readonly originMs: number,
    intervalMs = 250,
  ) {
    this.#timer = setInterval(() => void this.#sample(), intervalMs);
  }

  async #sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const loop = await this.topology.loop();
      this.samples.push({ ...loop, t: Date.now() - this.originMs });
    } catch {
      // The controller may be restarting; the gap shows in the samples.
    } finally {
      this.#busy = false;
    }
  }

  /** The first sample at or after `fromMs` that satisfies `predicate`. */
  first(fromMs: number, predicate: (sample: LoopSample) => boolean): LoopSample | undefined {
    return this.samples.find((sample) => sample.t >= fromMs && predicate(sample));
  }

  latest(): LoopSample | undefined {
    return this.samples.at(-1);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
