import { Bpe, END_OF_WORD, type BpeJSON } from './bpe.js';
import { createEnTokenizer } from './en-tokenizer.js';
import type { Tokenizer } from './tokenizer.js';
import { Vocab, type VocabJSON } from './vocab.js';

/** How sentences become ids; saved with a run so translation uses exactly the training pipeline. */
export interface TextPipelineConfig {
  /** 'char': one token per Chinese character; 'word': jieba words. */
  srcTokenizer: 'char' | 'word';
  /** Lowercase English before tokenizing (default false). */
  lowercase: boolean;
  /** BPE merges learned on the English side (0 = whole words). */
  bpeMerges: number;
  /**
   * BPE merges learned on the Chinese side over the source tokenizer's units (default 0: none).
   * With 'word' (jieba) tokens, rare words fall back to known pieces instead of `<unk>`; with
   * 'char' tokens there is nothing to merge (BPE stays inside a token).
   */
  srcBpeMerges?: number;
  /** English units seen fewer times in training become `<unk>` (default 1: keep all). */
  tgtMinFreq?: number;
  /**
   * One vocabulary for both sides: the source units, then the target units the source lacks
   * (default false). What a model that shares its source and target embeddings needs; the ids of
   * the two sides then live in one table.
   */
  jointVocab?: boolean;
}

/** JSON of the learned parts (vocabularies, BPE), written as separate files in a run folder. */
export interface TextPipelineState {
  config: TextPipelineConfig;
  srcVocab: VocabJSON;
  tgtVocab: VocabJSON;
  bpe: BpeJSON | null;
  /** Source-side BPE (srcBpeMerges > 0). */
  srcBpe?: BpeJSON | null;
}

/**
 * Chinese text -> source ids and target ids -> English text. The word tokenizer needs Node
 * (jieba), so the caller passes the source tokenizer in.
 */
export class TextPipeline {
  readonly tgtTokenizer: Tokenizer;

  constructor(
    readonly config: TextPipelineConfig,
    readonly srcTokenizer: Tokenizer,
    readonly srcVocab: Vocab,
    readonly tgtVocab: Vocab,
    readonly bpe: Bpe | null,
    readonly srcBpe: Bpe | null = null,
  ) {
    this.tgtTokenizer = createEnTokenizer({ lowercase: config.lowercase });
  }

  /** Learns vocabularies (and BPE) from training pairs. */
  static learn(config: TextPipelineConfig, srcTokenizer: Tokenizer, pairs: readonly { zh: string; en: string }[], minFreq = 1): TextPipeline {
    const en = createEnTokenizer({ lowercase: config.lowercase });
    const words = pairs.map((p) => en.tokenize(p.en));
    const bpe = config.bpeMerges > 0 ? Bpe.learn(words, { numMerges: config.bpeMerges }) : null;
    const srcWords = pairs.map((p) => srcTokenizer.tokenize(p.zh));
    const srcBpe = (config.srcBpeMerges ?? 0) > 0 ? Bpe.learn(srcWords, { numMerges: config.srcBpeMerges! }) : null;
    // With BPE the single characters join the vocabulary too: they are what an unseen word
    // falls back to, even when every training occurrence of them was merged away.
    // Each character in both forms (inside a word, and ending one).
    const alphabet = srcBpe ? [[...new Set(srcWords.flat().flatMap((w) => Array.from(w)))].sort().flatMap((c) => [c, c + END_OF_WORD])] : [];
    const srcVocab = Vocab.build(srcBpe ? [...srcWords.map((w) => srcBpe.encode(w)), ...alphabet] : srcWords, { minFreq: srcBpe ? 1 : minFreq });
    const tgtVocab = Vocab.build(bpe ? words.map((w) => bpe.encode(w)) : words, { minFreq: config.tgtMinFreq ?? minFreq });
    if (config.jointVocab) {
      const joint = Vocab.union(srcVocab, tgtVocab);
      return new TextPipeline(config, srcTokenizer, joint, joint, bpe, srcBpe);
    }
    return new TextPipeline(config, srcTokenizer, srcVocab, tgtVocab, bpe, srcBpe);
  }

  static fromState(state: TextPipelineState, srcTokenizer: Tokenizer): TextPipeline {
    const srcVocab = Vocab.fromJSON(state.srcVocab);
    let tgtVocab = Vocab.fromJSON(state.tgtVocab);
    if (state.config.jointVocab) {
      // one table on both sides, as when it was learned: a saved pair that differs was edited
      if (srcVocab.size !== tgtVocab.size || srcVocab.tokens.some((t, i) => tgtVocab.tokens[i] !== t)) {
        throw new Error(`TextPipeline: the config says jointVocab, but the saved source (${srcVocab.size} tokens) and target (${tgtVocab.size} tokens) vocabularies differ`);
      }
      tgtVocab = srcVocab;
    }
    return new TextPipeline(state.config, srcTokenizer, srcVocab, tgtVocab, state.bpe ? Bpe.fromJSON(state.bpe) : null,
      state.srcBpe ? Bpe.fromJSON(state.srcBpe) : null);
  }

  state(): TextPipelineState {
    return { config: this.config, srcVocab: this.srcVocab.toJSON(), tgtVocab: this.tgtVocab.toJSON(), bpe: this.bpe ? this.bpe.toJSON() : null, srcBpe: this.srcBpe ? this.srcBpe.toJSON() : null };
  }

  /** The source units the model reads (BPE pieces with srcBpeMerges; their end-of-word markers kept: they are vocabulary entries). */
  srcTokens(zh: string): string[] {
    const words = this.srcTokenizer.tokenize(zh);
    return this.srcBpe ? this.srcBpe.encode(words) : words;
  }

  /** Source ids and how many tokens fell outside the vocabulary. */
  encodeSrc(zh: string): { ids: number[]; tokens: string[]; unknowns: number } {
    const tokens = this.srcTokens(zh);
    const { ids, unknowns } = this.srcVocab.encodeCounted(tokens);
    return { ids, tokens, unknowns };
  }

  tgtUnits(en: string): string[] {
    const words = this.tgtTokenizer.tokenize(en);
    return this.bpe ? this.bpe.encode(words) : words;
  }

  encodeTgt(en: string): number[] {
    return this.tgtVocab.encode(this.tgtUnits(en));
  }

  /** One label per id for pictures (specials kept, BPE end-of-word markers removed). */
  tgtTokenStrings(ids: readonly number[]): string[] {
    return ids.map((id) => this.tgtVocab.token(id).replace(/<\/w>$/, ''));
  }

  /**
   * Ids -> English sentence. `<unk>` is dropped unless keepUnk: a literal "<unk>" would be scored
   * by BLEU as three wrong tokens ("<", "unk", ">"), and dropping it is what the usual baselines
   * do before scoring.
   */
  decodeTgt(ids: readonly number[], options: { keepUnk?: boolean } = {}): string {
    const units = this.tgtVocab.decode(ids, { stripUnk: !options.keepUnk });
    return this.tgtTokenizer.detokenize(this.bpe ? this.bpe.decode(units) : units);
  }
}
