/** Reserved tokens, with fixed ids 0..3. */
export const PAD = '<pad>';
export const UNK = '<unk>';
export const BOS = '<s>';
export const EOS = '</s>';
export const SPECIALS = [PAD, UNK, BOS, EOS] as const;
export const PAD_ID = 0;
export const UNK_ID = 1;
export const BOS_ID = 2;
export const EOS_ID = 3;

/** Options for building a vocabulary. */
export interface VocabBuildOptions {
  /** Keep tokens seen at least this many times (default 1). */
  minFreq?: number;
  /** Total size including the four specials (default unlimited). */
  maxSize?: number;
}

/** Options for encoding. */
export interface EncodeOptions {
  /** Prepend `<s>`. */
  bos?: boolean;
  /** Append `</s>`. */
  eos?: boolean;
}

/** Options for decoding. */
export interface DecodeOptions {
  /** Drop `<pad>`, `<s>` and `</s>` (default true). */
  stripSpecials?: boolean;
  /** Stop at the first `</s>` (default true). */
  stopAtEos?: boolean;
  /** Also drop `<unk>` (default false). */
  stripUnk?: boolean;
}

/** JSON form of a vocabulary. */
export interface VocabJSON {
  type: 'attentive-vocab';
  version: 1;
  tokens: string[];
}

/** Token <-> id mapping with the four specials at ids 0..3. */
export class Vocab {
  readonly tokens: readonly string[];
  private readonly ids: Map<string, number>;

  /** Create from a full token list whose first four entries are the specials. */
  constructor(tokens: string[]) {
    SPECIALS.forEach((s, i) => {
      if (tokens[i] !== s) throw new Error(`Vocab: token ${i} must be "${s}", got ${JSON.stringify(tokens[i])}`);
    });
    const ids = new Map<string, number>();
    tokens.forEach((t, i) => {
      if (ids.has(t)) throw new Error(`Vocab: duplicate token ${JSON.stringify(t)} at ids ${ids.get(t)} and ${i}`);
      ids.set(t, i);
    });
    this.tokens = [...tokens];
    this.ids = ids;
  }

  /**
   * Build from tokenized sentences. Order is frequency descending, then token by code units,
   * so the same corpus always gives the same ids.
   */
  static build(sentences: Iterable<string[]>, options: VocabBuildOptions = {}): Vocab {
    const { minFreq = 1, maxSize = Infinity } = options;
    if (!(minFreq >= 1)) throw new Error(`Vocab.build: minFreq must be >= 1, got ${minFreq}`);
    if (!(maxSize >= SPECIALS.length)) throw new Error(`Vocab.build: maxSize must be >= ${SPECIALS.length}, got ${maxSize}`);
    const freq = new Map<string, number>();
    for (const s of sentences) for (const t of s) freq.set(t, (freq.get(t) ?? 0) + 1);
    for (const s of SPECIALS) freq.delete(s);
    const kept = [...freq.entries()]
      .filter(([, c]) => c >= minFreq)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxSize - SPECIALS.length)
      .map(([t]) => t);
    return new Vocab([...SPECIALS, ...kept]);
  }

  /**
   * One vocabulary holding the tokens of both: `a`'s in its order, then `b`'s that `a` lacks, in
   * `b`'s order (deterministic, and `a`'s ids are unchanged). A source and a target vocabulary
   * joined this way let a model share one embedding matrix between its two sides.
   */
  static union(a: Vocab, b: Vocab): Vocab {
    const extra = b.tokens.slice(SPECIALS.length).filter((t) => !a.has(t));
    return new Vocab([...a.tokens, ...extra]);
  }

  /** Number of tokens including specials. */
  get size(): number {
    return this.tokens.length;
  }

  /** Id of a token, or `<unk>`'s id. */
  id(token: string): number {
    return this.ids.get(token) ?? UNK_ID;
  }

  /** Whether the token is in the vocabulary. */
  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** Token for an id; throws on ids out of range. */
  token(id: number): string {
    const t = this.tokens[id];
    if (t === undefined) throw new Error(`Vocab.token: id ${id} out of range [0, ${this.size})`);
    return t;
  }

  /** Encode tokens to ids; unknown tokens become `<unk>`. */
  encode(tokens: string[], options: EncodeOptions = {}): number[] {
    return this.encodeCounted(tokens, options).ids;
  }

  /** Encode and also report how many tokens were unknown. */
  encodeCounted(tokens: string[], options: EncodeOptions = {}): { ids: number[]; unknowns: number } {
    const ids: number[] = options.bos ? [BOS_ID] : [];
    let unknowns = 0;
    for (const t of tokens) {
      const id = this.ids.get(t);
      if (id === undefined) unknowns++;
      ids.push(id ?? UNK_ID);
    }
    if (options.eos) ids.push(EOS_ID);
    return { ids, unknowns };
  }

  /** Decode ids to tokens. */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string[] {
    const { stripSpecials = true, stopAtEos = true, stripUnk = false } = options;
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (stopAtEos && id === EOS_ID) break;
      if (stripSpecials && (id === PAD_ID || id === BOS_ID || id === EOS_ID)) continue;
      if (stripUnk && id === UNK_ID) continue;
      out.push(this.token(id));
    }
    return out;
  }

  /** Serialize to a JSON-safe object. */
  toJSON(): VocabJSON {
    return { type: 'attentive-vocab', version: 1, tokens: [...this.tokens] };
  }

  /** Rebuild from `toJSON` output (an object or a JSON string), validating it. */
  static fromJSON(json: unknown): Vocab {
    let o: unknown = json;
    if (typeof json === 'string') {
      try {
        o = JSON.parse(json);
      } catch (e) {
        throw new Error(`Vocab.fromJSON: invalid JSON: ${(e as Error).message}`);
      }
    }
    const v = o as Partial<VocabJSON> | null;
    if (typeof v !== 'object' || v === null || v.type !== 'attentive-vocab') {
      throw new Error(`Vocab.fromJSON: expected an object with type "attentive-vocab", got ${JSON.stringify(v)?.slice(0, 80)}`);
    }
    if (v.version !== 1) throw new Error(`Vocab.fromJSON: unsupported version ${String(v.version)}`);
    if (!Array.isArray(v.tokens)) throw new Error('Vocab.fromJSON: tokens must be an array');
    v.tokens.forEach((t, i) => {
      if (typeof t !== 'string') throw new Error(`Vocab.fromJSON: tokens[${i}] must be a string, got ${JSON.stringify(t)}`);
    });
    try {
      return new Vocab(v.tokens);
    } catch (e) {
      throw new Error(`Vocab.fromJSON: ${(e as Error).message}`);
    }
  }
}
