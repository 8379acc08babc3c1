/** Entries a new set has room for before it first grows. */
const INITIAL_CAPACITY = 1024;
/** Set on every stored `high` word, so a slot of two zero words is empty. */
const OCCUPIED = 0x4000_0000;

/**
 * A set of 60-bit fingerprints (two 30-bit words) in one typed array, open addressing with linear
 * probing, growing ×2 at half full: 16 to 32 bytes per entry, against 70 or more for a Set of
 * strings, and nothing for the garbage collector to walk. Fingerprints must be random (they come
 * from random nonces): the low word picks the slot as it is. Entries are never deleted; a whole set
 * is dropped at once (see NonceMemory).
 */
export class FingerprintSet {
  private slots = new Uint32Array(INITIAL_CAPACITY * 2);
  private mask = INITIAL_CAPACITY - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Bytes of the table. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  has(high: number, low: number): boolean {
    return this.find(high | OCCUPIED, low >>> 0) >= 0;
  }

  /** Adds the fingerprint; false when it was already there. */
  add(high: number, low: number): boolean {
    const hi = high | OCCUPIED;
    const lo = low >>> 0;
    if (this.find(hi, lo) >= 0) return false;
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    this.insert(hi, lo);
    this.count++;
    return true;
  }

  /** The slot holding the fingerprint, or -1. */
  private find(hi: number, lo: number): number {
    const slots = this.slots;
    for (let slot = lo & this.mask; ; slot = (slot + 1) & this.mask) {
      const stored = slots[slot * 2] as number;
      if (stored === 0) return -1;
      if (stored === hi && slots[slot * 2 + 1] === lo) return slot;
    }
  }

  private insert(hi: number, lo: number): void {
    const slots = this.slots;
    let slot = lo & this.mask;
    while (slots[slot * 2] !== 0) slot = (slot + 1) & this.mask;
    slots[slot * 2] = hi;
    slots[slot * 2 + 1] = lo;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = old.length - 1;
    for (let i = 0; i < old.length; i += 2) {
      const hi = old[i] as number;
      if (hi !== 0) this.insert(hi, old[i + 1] as number);
    }
  }
}
