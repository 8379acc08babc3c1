/**
 * A bounded map of verdicts with an expiry each, for credentials whose check costs a round trip. Pure:
 * time is passed in. Past `maxEntries` the entry that expires soonest goes first, so a flood of distinct
 * bad credentials cannot grow it or push out the valid ones for long.
 */
export class VerdictCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAtMs: number }>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, nowMs: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, expiresAtMs: number, nowMs: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) this.#evict(nowMs);
    this.#entries.set(key, { value, expiresAtMs });
  }

  /** Drops every expired entry, or if none has expired the one that expires first. */
  #evict(nowMs: number): void {
    let soonest: string | undefined;
    let soonestAt = Infinity;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAtMs <= nowMs) this.#entries.delete(key);
      else if (entry.expiresAtMs < soonestAt) {
        soonest = key;
        soonestAt = entry.expiresAtMs;
      }
    }
    if (this.#entries.size >= this.#maxEntries && soonest !== undefined) this.#entries.delete(soonest);
  }
}
