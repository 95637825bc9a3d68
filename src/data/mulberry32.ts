/** A function returning floats uniformly in [0, 1). */
export type Rand = () => number;

/**
 * mulberry32, bit for bit as in the Tatoeba split recipe (`/work/shared/data/tatoeba/README.md`),
 * so that data splits can be reproduced in any language from the seed alone.
 */
export function mulberry32(seed: number): Rand {
  let a = seed | 0;
  return function () {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [0, n) from `rand`. */
export function randInt(rand: Rand, n: number): number {
  return Math.floor(rand() * n);
}

/** A uniformly chosen element; throws on an empty array. */
export function pick<T>(rand: Rand, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick: cannot choose from an empty array');
  return items[Math.floor(rand() * items.length)]!;
}

/** Fisher–Yates from the top down, exactly as the Tatoeba recipe specifies. Shuffles in place. */
export function shuffleInPlace<T>(items: T[], rand: Rand): T[] {
  for (let i = items.length - 1; i >= 1; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/** `[0, 1, ..., n-1]` shuffled with mulberry32(seed). */
export function seededPermutation(n: number, seed: number): number[] {
  return shuffleInPlace(Array.from({ length: n }, (_, i) => i), mulberry32(seed));
}

/** Mix a base seed with a stream index (e.g. the epoch) into a new 32-bit seed. */
export function deriveSeed(seed: number, stream: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) | 0, 0x85ebca6b) ^ Math.imul((stream + 1) | 0, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x27d4eb2d);
  return (h ^ (h >>> 15)) >>> 0;
}
