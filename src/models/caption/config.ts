/**
 * Configuration of the captioning models, serialised as JSON beside the weights. The defaults are
 * the shapes of the W6 benchmark (a 3-block CNN to a 3x3x128 grid, a 256-unit LSTM decoder).
 */

export type CaptionModelKind = 'show-tell' | 'attention';
export const CAPTION_MODEL_KINDS: readonly CaptionModelKind[] = ['show-tell', 'attention'];

export interface CaptionConfig {
  /** 'show-tell': the pooled image vector starts the LSTM; 'attention': soft attention over the 9 regions at every word. */
  model: CaptionModelKind;
  vocabSize: number;
  /** Output channels of the three conv blocks; the last is the region size D (default [32, 64, 128]). */
  channels: number[];
  /**
   * BatchNorm2d after the convolutions: 'none' (default, as the W6 benchmark), 'last' (only the
   * last block, which gives the regions unit scale whatever the earlier layers do, at little cost)
   * or 'all'. true and false stand for 'all' and 'none'.
   */
  batchNorm: 'none' | 'last' | 'all';
  /** Word embedding size (default 64). */
  embSize: number;
  /** Decoder LSTM hidden size (default 256). */
  hiddenSize: number;
  /** Additive attention's inner size (attention model; default 256). */
  attentionSize: number;
  /** Gate the context with the scalar β = σ(f_β(h_{t-1})) (attention model; default true). */
  gate: boolean;
  /** Show-and-Tell only: also feed the pooled image vector at every step, not only into the initial state (default false). */
  imageEveryStep: boolean;
  /** Dropout before the output layer (default 0.1). */
  dropout: number;
}

/** Fills in defaults and validates; errors name the field and its value. */
export function resolveCaptionConfig(c: Partial<Omit<CaptionConfig, 'batchNorm'>> & Pick<CaptionConfig, 'vocabSize'> & { batchNorm?: CaptionConfig['batchNorm'] | boolean }): CaptionConfig {
  const out: CaptionConfig = {
    model: c.model ?? 'attention',
    vocabSize: c.vocabSize,
    channels: c.channels ? [...c.channels] : [32, 64, 128],
    batchNorm: c.batchNorm === true ? 'all' : c.batchNorm === false || c.batchNorm === undefined ? 'none' : c.batchNorm,
    embSize: c.embSize ?? 64,
    hiddenSize: c.hiddenSize ?? 256,
    attentionSize: c.attentionSize ?? 256,
    gate: c.gate ?? true,
    imageEveryStep: c.imageEveryStep ?? false,
    dropout: c.dropout ?? 0.1,
  };
  if (!CAPTION_MODEL_KINDS.includes(out.model)) throw new Error(`CaptionConfig.model must be show-tell or attention, got ${String(out.model)}`);
  for (const k of ['vocabSize', 'embSize', 'hiddenSize', 'attentionSize'] as const) {
    if (!(Number.isInteger(out[k]) && out[k] > 0)) throw new Error(`CaptionConfig.${k} must be a positive integer, got ${out[k]}`);
  }
  if (out.channels.length !== 3 || !out.channels.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`CaptionConfig.channels must be three positive integers, got [${out.channels.join(', ')}]`);
  }
  if (!['none', 'last', 'all'].includes(out.batchNorm)) throw new Error(`CaptionConfig.batchNorm must be none, last or all, got ${String(out.batchNorm)}`);
  if (!(out.dropout >= 0 && out.dropout < 1)) throw new Error(`CaptionConfig.dropout must be in [0, 1), got ${out.dropout}`);
  return out;
}
