/**
 * At most `capacity` holders at once; the rest wait in arrival order. This is the demo upstream's
 * model of a service with N workers: queueing here is what makes its latency grow under overload,
 * which is the signal Sluice's controller reacts to. Logic only: no timers, no I/O.
 */

export type Release = () => void;

export class FifoGate {
  readonly #capacity: number;
  readonly #waiting: (() => void)[] = [];
  #inService = 0;
  #maxInService = 0;

  /** @throws RangeError when capacity is not a positive integer. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
  }

  get inService(): number {
    return this.#inService;
  }

  get queueLength(): number {
    return this.#waiting.length;
  }

  /** The most holders ever seen at once. */
  get maxInService(): number {
    return this.#maxInService;
  }

  /** Resolves with a release function once a slot is free; call it exactly once. */
  acquire(): Promise<Release> {
    return new Promise((resolve) => {
      const grant = () => {
        this.#inService += 1;
        this.#maxInService = Math.max(this.#maxInService, this.#inService);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.#inService -= 1;
          this.#waiting.shift()?.();
        });
      };
      if (this.#inService < this.#capacity) grant();
      else this.#waiting.push(grant);
    });
  }
}
