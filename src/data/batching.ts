import { deriveSeed, mulberry32, shuffleInPlace } from './mulberry32.js';

// Same ids as text/vocab.ts; repeated here so batching needs no vocabulary.
const PAD_ID = 0;
const BOS_ID = 2;
const EOS_ID = 3;

/** Options for `Batcher`. Lengths count tokens before `<s>`/`</s>` are added. */
export interface BatchOptions {
  /** Pairs per batch. */
  batchSize: number;
  /** Seed for shuffling; epoch `e` uses a seed derived from (seed, e). */
  seed: number;
  /** Shuffle each epoch (default true). Without it, batches follow corpus order. */
  shuffle?: boolean;
  /**
   * Sort by length within pools of this many pairs, so batches hold similar lengths and carry
   * little padding (default 50 * batchSize; 0 turns bucketing off).
   */
  poolSize?: number;
  /** Longest source kept (default unlimited). */
  maxSrcLen?: number;
  /** Longest target kept (default unlimited). */
  maxTgtLen?: number;
  /** What to do with a pair over a cap: cut it (default) or leave it out. */
  overLength?: 'truncate' | 'drop';
  /** Append `</s>` to sources (default false). */
  srcEos?: boolean;
  /** Keep a last batch smaller than batchSize (default true). */
  keepLast?: boolean;
}

/** One padded batch; all arrays are row-major. */
export interface Batch {
  /** Number of pairs B. */
  size: number;
  /** Indices of the pairs in the input arrays, length B. */
  indices: Int32Array;
  /** Source ids padded with 0, shape [B, S]. */
  src: Int32Array;
  srcShape: [number, number];
  /** Real source lengths, length B. */
  srcLengths: Int32Array;
  /** 1 where `src` holds a token, 0 on padding, shape [B, S]. */
  srcMask: Uint8Array;
  /** Decoder input `<s> y1 .. yn`, shape [B, T]. */
  tgtIn: Int32Array;
  /** Decoder output `y1 .. yn </s>`, shape [B, T]. */
  tgtOut: Int32Array;
  tgtShape: [number, number];
  /** n + 1 for each pair, length B. */
  tgtLengths: Int32Array;
  /** 1 where `tgtOut` is a real target, shape [B, T]. */
  tgtMask: Uint8Array;
  /** Number of real target positions (sum of tgtLengths), for per-token losses. */
  tgtTokens: number;
}

/** What length caps did to the corpus. */
export interface BatchStats {
  kept: number;
  dropped: number;
  droppedEmpty: number;
  truncatedSrc: number;
  truncatedTgt: number;
}

/** Pad sequences to the longest one: `{ data, shape: [B, L], lengths, mask }`. */
export function padSequences(seqs: readonly ArrayLike<number>[], pad = PAD_ID): {
  data: Int32Array;
  shape: [number, number];
  lengths: Int32Array;
  mask: Uint8Array;
} {
  const b = seqs.length;
  const lengths = Int32Array.from(seqs, (s) => s.length);
  const l = lengths.reduce((m, x) => Math.max(m, x), 0);
  const data = new Int32Array(b * l).fill(pad);
  const mask = new Uint8Array(b * l);
  seqs.forEach((s, i) => {
    for (let j = 0; j < s.length; j++) {
      data[i * l + j] = s[j]!;
      mask[i * l + j] = 1;
    }
  });
  return { data, shape: [b, l], lengths, mask };
}

/**
 * Turns encoded sentence pairs into padded batches for sequence-to-sequence training: caps
 * lengths once, then per epoch shuffles (seeded), buckets by length and shuffles batch order.
 */
export class Batcher {
  readonly stats: BatchStats;
  private readonly src: number[][] = [];
  private readonly tgt: number[][] = [];
  private readonly index: number[] = [];
  private readonly opts: Required<BatchOptions>;

  /** Check options, apply length caps and count what they changed. */
  constructor(src: readonly number[][], tgt: readonly number[][], options: BatchOptions) {
    if (src.length !== tgt.length) {
      throw new Error(`Batcher: ${src.length} sources but ${tgt.length} targets`);
    }
    const o: Required<BatchOptions> = {
      shuffle: true,
      poolSize: 50 * options.batchSize,
      maxSrcLen: Infinity,
      maxTgtLen: Infinity,
      overLength: 'truncate',
      srcEos: false,
      keepLast: true,
      ...options,
    };
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new Error(`Batcher: batchSize must be a positive integer, got ${o.batchSize}`);
    if (!(o.maxSrcLen >= 1) || !(o.maxTgtLen >= 1)) {
      throw new Error(`Batcher: maxSrcLen and maxTgtLen must be >= 1, got ${o.maxSrcLen} and ${o.maxTgtLen}`);
    }
    if (!(o.poolSize >= 0)) throw new Error(`Batcher: poolSize must be >= 0, got ${o.poolSize}`);
    if (o.overLength !== 'truncate' && o.overLength !== 'drop') {
      throw new Error(`Batcher: overLength must be "truncate" or "drop", got ${JSON.stringify(o.overLength)}`);
    }
    this.opts = o;
    const stats: BatchStats = { kept: 0, dropped: 0, droppedEmpty: 0, truncatedSrc: 0, truncatedTgt: 0 };
    for (let i = 0; i < src.length; i++) {
      let s = src[i]!;
      let t = tgt[i]!;
      // An empty source gives the encoder nothing to attend to.
      if (s.length === 0) {
        stats.droppedEmpty++;
        continue;
      }
      const longS = s.length > o.maxSrcLen;
      const longT = t.length > o.maxTgtLen;
      if ((longS || longT) && o.overLength === 'drop') {
        stats.dropped++;
        continue;
      }
      if (longS) {
        s = s.slice(0, o.maxSrcLen);
        stats.truncatedSrc++;
      }
      if (longT) {
        t = t.slice(0, o.maxTgtLen);
        stats.truncatedTgt++;
      }
      this.src.push(o.srcEos ? [...s, EOS_ID] : s);
      this.tgt.push(t);
      this.index.push(i);
      stats.kept++;
    }
    this.stats = stats;
  }

  /** Number of pairs left after caps. */
  get size(): number {
    return this.src.length;
  }

  /** Order of kept pairs for an epoch, grouped into batches (positions in the kept list). */
  private plan(epoch: number): number[][] {
    const { batchSize, shuffle, poolSize, keepLast } = this.opts;
    const rand = mulberry32(deriveSeed(this.opts.seed, epoch));
    const order = Array.from({ length: this.src.length }, (_, i) => i);
    if (shuffle) shuffleInPlace(order, rand);
    if (poolSize > 0) {
      const pool = Math.max(poolSize, batchSize);
      // Longest first within each batch, the order packed RNN inputs expect.
      const byLength = (a: number, b: number): number =>
        this.src[b]!.length - this.src[a]!.length || this.tgt[b]!.length - this.tgt[a]!.length || a - b;
      for (let start = 0; start < order.length; start += pool) {
        const sorted = order.slice(start, start + pool).sort(byLength);
        order.splice(start, sorted.length, ...sorted);
      }
    }
    const batches: number[][] = [];
    for (let start = 0; start < order.length; start += batchSize) {
      const b = order.slice(start, start + batchSize);
      if (b.length === batchSize || keepLast) batches.push(b);
    }
    if (shuffle && poolSize > 0) shuffleInPlace(batches, rand);
    return batches;
  }

  /** All batches of one epoch; the same epoch number always gives the same batches. */
  epoch(epoch: number): Batch[] {
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`Batcher.epoch: epoch must be a non-negative integer, got ${epoch}`);
    return this.plan(epoch).map((b) => this.makeBatch(b));
  }

  private makeBatch(positions: number[]): Batch {
    const s = padSequences(positions.map((p) => this.src[p]!));
    const tgtIn = padSequences(positions.map((p) => [BOS_ID, ...this.tgt[p]!]));
    const tgtOut = padSequences(positions.map((p) => [...this.tgt[p]!, EOS_ID]));
    return {
      size: positions.length,
      indices: Int32Array.from(positions, (p) => this.index[p]!),
      src: s.data,
      srcShape: s.shape,
      srcLengths: s.lengths,
      srcMask: s.mask,
      tgtIn: tgtIn.data,
      tgtOut: tgtOut.data,
      tgtShape: tgtOut.shape,
      tgtLengths: tgtOut.lengths,
      tgtMask: tgtOut.mask,
      tgtTokens: tgtOut.lengths.reduce((a, x) => a + x, 0),
    };
  }
}
