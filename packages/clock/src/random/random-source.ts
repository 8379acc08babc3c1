/**
 * Randomness, injected: a RandomSource returns a uniform number in [0, 1). Tests pass a seeded one so
 * error draws, jitter and arrivals repeat exactly.
 */
export type RandomSource = () => number;

/** Node's `Math.random`. */
export const systemRandom: RandomSource = () => Math.random();

/**
 * mulberry32: a small 32-bit generator, good enough for load shapes, jitter and error draws (never for
 * anything secret). The same seed gives the same sequence on every platform.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
