/**
 * The one seeded random generator behind every random number the toolkit draws: initialisers,
 * dropout masks, shuffling and sampling. Same seed -> bit-identical streams on every platform,
 * because everything is 32-bit integer arithmetic (no Math.random, no platform libm in the core
 * generator).
 */

/** xoshiro128** with a splitmix32 seeding: fast, 128-bit state, good statistical quality. */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** A cached second normal deviate from Box–Muller. */
  private spare: number | null = null;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  manualSeed(seed: number): this {
    let x = (Math.floor(seed) >>> 0) ^ Math.floor(seed / 4294967296);
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
    return this;
  }

  /** The full generator state, for checkpoints. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spare === null ? NaN : this.spare];
  }

  setState(state: readonly number[]): this {
    if (state.length !== 5) throw new Error(`Generator.setState: expected 5 numbers, got ${state.length}`);
    [this.s0, this.s1, this.s2, this.s3] = state.map((v) => v | 0);
    this.spare = Number.isNaN(state[4]) ? null : state[4];
    return this;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of randomness (enough for float32 tensors). */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [low, high). */
  randint(low: number, high: number): number {
    if (!(high > low)) throw new Error(`randint: empty range [${low}, ${high})`);
    return low + Math.floor(this.random() * (high - low));
  }

  /** Standard normal deviate (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The default generator used when no generator is passed explicitly. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator (like torch.manual_seed). */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}
