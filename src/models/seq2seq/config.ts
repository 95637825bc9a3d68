/**
 * Configuration of the encoder-decoder models. Serialised as JSON beside the weights
 * (`config.json`), so a run folder fully describes the model it holds.
 */

export type AttentionKind = 'bahdanau' | 'luong-dot' | 'luong-general';
export const ATTENTION_KINDS: readonly AttentionKind[] = ['bahdanau', 'luong-dot', 'luong-general'];

export interface Seq2SeqConfig {
  /** The registry's name of this model kind; equal to `model`. */
  kind: 'plain' | 'attention';
  /** 'plain': the final encoder state is the only thing the decoder sees; 'attention': it also attends to every encoder output. */
  model: 'plain' | 'attention';
  srcVocabSize: number;
  tgtVocabSize: number;
  /** Source embedding size (default 64). */
  srcEmbSize: number;
  /** Target embedding size (default 64). */
  tgtEmbSize: number;
  /** Encoder LSTM hidden size per direction (default 128). */
  hiddenSize: number;
  /** Decoder LSTM hidden size (default hiddenSize × directions, so the encoder's memory rows match it). */
  decoderHiddenSize: number;
  /** Stacked LSTM layers in encoder and decoder (default 1). */
  layers: number;
  /** Bidirectional encoder; its final states are bridged to the decoder by a tanh layer (default false). */
  bidirectional: boolean;
  /** Dropout on embeddings, between LSTM layers and before the output layer (default 0.1). */
  dropout: number;
  /** Attention scoring (attention model only; default 'bahdanau'). */
  attention: AttentionKind;
  /** Additive attention's inner size (default decoderHiddenSize). */
  attentionSize: number;
  /** Feed the previous attentional vector h̃ into the next decoder input, as Luong et al. (default true). */
  inputFeeding: boolean;
  /** Share the target embedding matrix with the output layer (default false). */
  tieEmbeddings: boolean;
}

/** Every field of a Seq2SeqConfig (recipes and the registry reject other keys). */
export const SEQ2SEQ_CONFIG_KEYS: readonly (keyof Seq2SeqConfig)[] = [
  'kind', 'model', 'srcVocabSize', 'tgtVocabSize', 'srcEmbSize', 'tgtEmbSize', 'hiddenSize', 'decoderHiddenSize', 'layers',
  'bidirectional', 'dropout', 'attention', 'attentionSize', 'inputFeeding', 'tieEmbeddings',
];

/** Fills in defaults and validates; every error names the field and its value. */
export function resolveConfig(c: Partial<Seq2SeqConfig> & Pick<Seq2SeqConfig, 'srcVocabSize' | 'tgtVocabSize'>): Seq2SeqConfig {
  if (c.model !== undefined && c.kind !== undefined && c.model !== c.kind) throw new Error(`Seq2SeqConfig: kind '${c.kind}' and model '${c.model}' disagree`);
  const model = c.model ?? c.kind ?? 'attention';
  const hiddenSize = c.hiddenSize ?? 128;
  const bidirectional = c.bidirectional ?? false;
  const decoderHiddenSize = c.decoderHiddenSize ?? hiddenSize * (bidirectional ? 2 : 1);
  const out: Seq2SeqConfig = {
    kind: model,
    model,
    srcVocabSize: c.srcVocabSize,
    tgtVocabSize: c.tgtVocabSize,
    srcEmbSize: c.srcEmbSize ?? 64,
    tgtEmbSize: c.tgtEmbSize ?? 64,
    hiddenSize,
    decoderHiddenSize,
    layers: c.layers ?? 1,
    bidirectional,
    dropout: c.dropout ?? 0.1,
    attention: c.attention ?? 'bahdanau',
    attentionSize: c.attentionSize ?? decoderHiddenSize,
    inputFeeding: c.inputFeeding ?? true,
    tieEmbeddings: c.tieEmbeddings ?? false,
  };
  const posInt = (k: keyof Seq2SeqConfig) => {
    const v = out[k] as number;
    if (!Number.isInteger(v) || v < 1) throw new Error(`Seq2SeqConfig: ${k} must be a positive integer, got ${v}`);
  };
  (['srcVocabSize', 'tgtVocabSize', 'srcEmbSize', 'tgtEmbSize', 'hiddenSize', 'decoderHiddenSize', 'layers', 'attentionSize'] as const).forEach(posInt);
  if (model !== 'plain' && model !== 'attention') throw new Error(`Seq2SeqConfig: model must be 'plain' or 'attention', got '${String(model)}'`);
  if (!ATTENTION_KINDS.includes(out.attention)) {
    throw new Error(`Seq2SeqConfig: attention must be one of ${ATTENTION_KINDS.join(', ')}, got '${String(out.attention)}'`);
  }
  if (!(out.dropout >= 0 && out.dropout < 1)) throw new Error(`Seq2SeqConfig: dropout must be in [0, 1), got ${out.dropout}`);
  const memory = hiddenSize * (bidirectional ? 2 : 1);
  if (model === 'attention' && out.attention === 'luong-dot' && memory !== decoderHiddenSize) {
    throw new Error(`Seq2SeqConfig: luong-dot attention needs encoder outputs (${memory}) as wide as the decoder state (decoderHiddenSize ${decoderHiddenSize})`);
  }
  return out;
}
