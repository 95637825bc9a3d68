/**
 * Configuration of the Transformer translator. Serialised as JSON beside the weights
 * (`config.json`), so a run folder rebuilds it (`kind: 'transformer'` in models/translation's
 * registry).
 */

export interface TransformerTranslatorConfig {
  kind: 'transformer';
  srcVocabSize: number;
  tgtVocabSize: number;
  /** Model width: embeddings, attention and every residual stream (default 256; the paper's base model: 512). */
  dModel: number;
  /** Attention heads per attention block; dModel must be a multiple (default 4; paper: 8). */
  heads: number;
  /** Encoder layers (default 3; paper: 6). */
  encoderLayers: number;
  /** Decoder layers (default 3; paper: 6). */
  decoderLayers: number;
  /** Hidden size of the position-wise feed-forward blocks (default 4 × dModel, as the paper). */
  dFf: number;
  /** Dropout on embeddings + positions, attention weights, sub-block outputs and inside feed-forward blocks (default 0.1). */
  dropout: number;
  /**
   * Pre-LN (x + f(norm(x)), as The Annotated Transformer) instead of post-LN (norm(x + f(x)), as
   * the paper). Pre-LN trains stably at higher learning rates and with little warmup (default true).
   */
  normFirst: boolean;
  /** Feed-forward activation (default 'relu'). */
  activation: 'relu' | 'gelu';
  /** 'sinusoidal' (the paper) or 'learned' positions (default 'sinusoidal'). */
  positions: 'sinusoidal' | 'learned';
  /** Longest sequence (source or target) the positions cover (default 256). */
  maxLen: number;
  /**
   * One embedding matrix for source and target (the paper's shared source/target embeddings);
   * needs a joint vocabulary, so srcVocabSize must equal tgtVocabSize (default false).
   */
  shareEmbeddings: boolean;
  /** The output layer reuses the target embedding matrix (plus its own bias), as the paper (default true). */
  tieOutput: boolean;
}

/** Every key of a transformer config (what recipes and run folders may hold). */
export const TRANSFORMER_CONFIG_KEYS: readonly (keyof TransformerTranslatorConfig)[] = [
  'kind', 'srcVocabSize', 'tgtVocabSize', 'dModel', 'heads', 'encoderLayers', 'decoderLayers', 'dFf', 'dropout', 'normFirst', 'activation', 'positions', 'maxLen',
  'shareEmbeddings', 'tieOutput',
];

export type TransformerTranslatorOptions = Partial<TransformerTranslatorConfig> & Pick<TransformerTranslatorConfig, 'srcVocabSize' | 'tgtVocabSize'>;

/** Fills in defaults and validates; every error names the field and its value. */
export function resolveTransformerConfig(c: TransformerTranslatorOptions): TransformerTranslatorConfig {
  const dModel = c.dModel ?? 256;
  const out: TransformerTranslatorConfig = {
    kind: 'transformer',
    srcVocabSize: c.srcVocabSize,
    tgtVocabSize: c.tgtVocabSize,
    dModel,
    heads: c.heads ?? 4,
    encoderLayers: c.encoderLayers ?? 3,
    decoderLayers: c.decoderLayers ?? 3,
    dFf: c.dFf ?? 4 * dModel,
    dropout: c.dropout ?? 0.1,
    normFirst: c.normFirst ?? true,
    activation: c.activation ?? 'relu',
    positions: c.positions ?? 'sinusoidal',
    maxLen: c.maxLen ?? 256,
    shareEmbeddings: c.shareEmbeddings ?? false,
    tieOutput: c.tieOutput ?? true,
  };
  if (c.kind !== undefined && c.kind !== 'transformer') throw new Error(`TransformerTranslatorConfig: kind must be 'transformer', got '${String(c.kind)}'`);
  for (const k of Object.keys(c)) if (!(TRANSFORMER_CONFIG_KEYS as readonly string[]).includes(k)) throw new Error(`TransformerTranslatorConfig: unknown field '${k}' (known: ${TRANSFORMER_CONFIG_KEYS.join(', ')})`);
  for (const k of ['srcVocabSize', 'tgtVocabSize', 'dModel', 'heads', 'encoderLayers', 'decoderLayers', 'dFf', 'maxLen'] as const) {
    const v = out[k];
    if (!Number.isInteger(v) || v < 1) throw new Error(`TransformerTranslatorConfig: ${k} must be a positive integer, got ${v}`);
  }
  if (out.dModel % out.heads !== 0) throw new Error(`TransformerTranslatorConfig: dModel (${out.dModel}) must be a multiple of heads (${out.heads})`);
  if (!(out.dropout >= 0 && out.dropout < 1)) throw new Error(`TransformerTranslatorConfig: dropout must be in [0, 1), got ${out.dropout}`);
  if (out.activation !== 'relu' && out.activation !== 'gelu') throw new Error(`TransformerTranslatorConfig: activation must be 'relu' or 'gelu', got '${String(out.activation)}'`);
  if (out.positions !== 'sinusoidal' && out.positions !== 'learned') throw new Error(`TransformerTranslatorConfig: positions must be 'sinusoidal' or 'learned', got '${String(out.positions)}'`);
  if (out.shareEmbeddings && out.srcVocabSize !== out.tgtVocabSize) {
    throw new Error(`TransformerTranslatorConfig: shareEmbeddings needs a joint vocabulary, but srcVocabSize ${out.srcVocabSize} != tgtVocabSize ${out.tgtVocabSize}`);
  }
  return out;
}
