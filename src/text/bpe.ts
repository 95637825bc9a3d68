import { BinaryHeap } from '../util/heap.js';

/** Marker appended to the last symbol of every word, so merges never cross word ends. */
export const END_OF_WORD = '</w>';

/** Options for learning BPE merges. */
export interface BpeLearnOptions {
  /** Maximum number of merges to learn. */
  numMerges: number;
  /** Stop when the best pair occurs fewer times than this (default 2). */
  minFrequency?: number;
}

/** JSON form of a BPE model. */
export interface BpeJSON {
  type: 'attentive-bpe';
  version: 1;
  endOfWord: string;
  merges: [string, string][];
}

// A pair's map key: the first symbol's length makes it unambiguous whatever the symbols hold (a
// separator character would not be: words may contain any character, NUL included).
const pairKey = (a: string, b: string): string => `${a.length}:${a}${b}`;

interface PairEntry { count: number; key: string; a: string; b: string }

// Ties break on the pair itself, first symbol then second, compared by code units, so results
// never depend on Map order.
function better(x: PairEntry, y: PairEntry): boolean {
  return x.count > y.count || (x.count === y.count && (x.a < y.a || (x.a === y.a && x.b < y.b)));
}

/** Max-heap of (count, pair) with lazy deletion: stale entries are skipped on pop. */
class PairHeap {
  private readonly heap = new BinaryHeap<PairEntry>(better);
  push(count: number, key: string, a: string, b: string): void {
    this.heap.push({ count, key, a, b });
  }
  pop(): PairEntry | undefined {
    return this.heap.pop();
  }
}

function wordSymbols(word: string): string[] {
  const chars = Array.from(word);
  if (chars.length === 0) return [];
  chars[chars.length - 1] += END_OF_WORD;
  return chars;
}

/**
 * Byte-pair encoding over words (Sennrich et al. 2016): merges are learned from word
 * frequencies, each word ends in `</w>`, and the most frequent adjacent pair is merged first,
 * ties going to the pair that sorts first. Works on any script, since symbols are code points.
 */
export class Bpe {
  readonly merges: readonly [string, string][];
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, string[]>();

  /** Build a model from an ordered list of merges (earliest merge has the highest priority). */
  constructor(merges: [string, string][]) {
    this.merges = merges.map(([a, b]) => [a, b]);
    this.ranks = new Map(merges.map(([a, b], i) => [pairKey(a, b), i]));
  }

  /** Learn merges from tokenized sentences (each an array of words). */
  static learn(sentences: Iterable<string[]>, options: BpeLearnOptions): Bpe {
    const { numMerges, minFrequency = 2 } = options;
    if (!Number.isInteger(numMerges) || numMerges < 0) {
      throw new Error(`Bpe.learn: numMerges must be a non-negative integer, got ${numMerges}`);
    }
    if (!(minFrequency >= 1)) throw new Error(`Bpe.learn: minFrequency must be >= 1, got ${minFrequency}`);
    const freq = new Map<string, number>();
    for (const s of sentences) for (const w of s) if (w.length > 0) freq.set(w, (freq.get(w) ?? 0) + 1);
    const words = [...freq.keys()].sort();
    const syms = words.map(wordSymbols);
    const counts = words.map((w) => freq.get(w)!);

    const pairCount = new Map<string, number>();
    const pairWords = new Map<string, Set<number>>();
    const heap = new PairHeap();
    const add = (key: string, wi: number, c: number): void => {
      pairCount.set(key, (pairCount.get(key) ?? 0) + c);
      let set = pairWords.get(key);
      if (!set) pairWords.set(key, (set = new Set()));
      set.add(wi);
    };
    const symbolsOf = new Map<string, [string, string]>();
    const forEachPair = (s: string[], f: (key: string) => void): void => {
      for (let i = 0; i + 1 < s.length; i++) {
        const key = pairKey(s[i]!, s[i + 1]!);
        if (!symbolsOf.has(key)) symbolsOf.set(key, [s[i]!, s[i + 1]!]);
        f(key);
      }
    };
    const push = (c: number, k: string) => {
      const [a, b] = symbolsOf.get(k)!;
      heap.push(c, k, a, b);
    };
    syms.forEach((s, wi) => forEachPair(s, (k) => add(k, wi, counts[wi]!)));
    for (const [k, c] of pairCount) push(c, k);

    const merges: [string, string][] = [];
    while (merges.length < numMerges) {
      const top = heap.pop();
      if (!top) break;
      if (pairCount.get(top.key) !== top.count) continue; // stale entry
      if (top.count < minFrequency) break;
      const { a, b } = top;
      merges.push([a, b]);
      const touched = new Set<string>();
      for (const wi of pairWords.get(top.key) ?? []) {
        const old = syms[wi]!;
        forEachPair(old, (k) => {
          pairCount.set(k, pairCount.get(k)! - counts[wi]!);
          touched.add(k);
        });
        const merged: string[] = [];
        for (let i = 0; i < old.length; i++) {
          if (i + 1 < old.length && old[i] === a && old[i + 1] === b) {
            merged.push(a + b);
            i++;
          } else merged.push(old[i]!);
        }
        syms[wi] = merged;
        forEachPair(merged, (k) => {
          add(k, wi, counts[wi]!);
          touched.add(k);
        });
      }
      for (const k of touched) {
        const c = pairCount.get(k)!;
        if (c > 0) push(c, k);
        else {
          pairCount.delete(k);
          pairWords.delete(k);
        }
      }
    }
    return new Bpe(merges);
  }

  /** Split one word into subword units; the last unit carries `</w>`. */
  encodeWord(word: string): string[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    let s = wordSymbols(word);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < s.length; i++) {
        const r = this.ranks.get(pairKey(s[i]!, s[i + 1]!));
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const [a, b] = this.merges[bestRank]!;
      const merged: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else merged.push(s[i]!);
      }
      s = merged;
    }
    if (this.cache.size < 100_000) this.cache.set(word, s);
    return s;
  }

  /** Encode a list of words into subword units. */
  encode(words: string[]): string[] {
    return words.flatMap((w) => this.encodeWord(w));
  }

  /** Join subword units back into words; a trailing unit without `</w>` still ends a word. */
  decode(units: string[]): string[] {
    const words: string[] = [];
    let cur = '';
    for (const u of units) {
      if (u.endsWith(END_OF_WORD)) {
        words.push(cur + u.slice(0, -END_OF_WORD.length));
        cur = '';
      } else cur += u;
    }
    if (cur.length > 0) words.push(cur);
    return words;
  }

  /** Serialize to a JSON-safe object. */
  toJSON(): BpeJSON {
    return { type: 'attentive-bpe', version: 1, endOfWord: END_OF_WORD, merges: this.merges.map(([a, b]) => [a, b]) };
  }

  /** Rebuild a model from `toJSON` output, validating its shape. */
  static fromJSON(json: unknown): Bpe {
    const o = json as Partial<BpeJSON> | null;
    if (typeof o !== 'object' || o === null || o.type !== 'attentive-bpe') {
      throw new Error(`Bpe.fromJSON: expected an object with type "attentive-bpe", got ${JSON.stringify(o)?.slice(0, 80)}`);
    }
    if (o.version !== 1) throw new Error(`Bpe.fromJSON: unsupported version ${String(o.version)}`);
    if (o.endOfWord !== END_OF_WORD) throw new Error(`Bpe.fromJSON: endOfWord must be "${END_OF_WORD}", got ${String(o.endOfWord)}`);
    if (!Array.isArray(o.merges)) throw new Error('Bpe.fromJSON: merges must be an array');
    o.merges.forEach((m, i) => {
      if (!Array.isArray(m) || m.length !== 2 || typeof m[0] !== 'string' || typeof m[1] !== 'string' || !m[0] || !m[1]) {
        throw new Error(`Bpe.fromJSON: merges[${i}] must be a pair of non-empty strings, got ${JSON.stringify(m)}`);
      }
    });
    return new Bpe(o.merges);
  }
}
