import * as F from '../../autograd/ops/index.js';
import { Embedding } from '../../nn/layers/embedding.js';
import { generateSquareSubsequentMask } from '../../nn/layers/multihead-attention.js';
import { LearnedPositionalEncoding, SinusoidalPositionalEncoding } from '../../nn/layers/positional-encoding.js';
import { Transformer } from '../../nn/layers/transformer.js';
import { normal_ } from '../../nn/init.js';
import { Linear } from '../../nn/layers/linear.js';
import { inference } from '../../nn/inference.js';
import { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import { zeros } from '../../tensor/creation.js';
import { fmtShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { BOS_ID, PAD_ID } from '../../text/vocab.js';
import type { AttentionMap, TranslationBatch, TranslationModel, TranslationOutput } from '../translation/model.js';
import { resolveTransformerConfig, type TransformerTranslatorConfig, type TransformerTranslatorOptions } from './config.js';
import { TransformerStepModel } from './step-model.js';

/**
 * The Transformer translator of "Attention Is All You Need": token embeddings scaled by √d plus
 * positions, an encoder of self-attention layers over the source, a decoder of masked
 * self-attention + attention over the encoder's output, and an output layer that (by default)
 * reuses the target embedding matrix. Batch-first throughout.
 *
 * Parameters: `src_embed.weight`, `tgt_embed.weight` (one `embed.weight` with shareEmbeddings),
 * `transformer.*` (torch.nn.Transformer's names, so its layers load from a torch state dict),
 * `out_bias` (tied output) or `out_proj.weight/bias`, `positions.weight` for learned positions.
 */
export class TransformerTranslator extends Module implements TranslationModel {
  readonly config: TransformerTranslatorConfig;
  src_embed: Embedding | null;
  tgt_embed: Embedding | null;
  embed: Embedding | null;
  positions: SinusoidalPositionalEncoding | LearnedPositionalEncoding;
  transformer: Transformer;
  out_bias: Parameter | null;
  out_proj: Linear | null;
  private readonly scale: number;

  constructor(options: TransformerTranslatorOptions) {
    super();
    const c = resolveTransformerConfig(options);
    this.config = c;
    const d = c.dModel;
    // N(0, 1/d) rows times √d: embedded tokens have unit-variance entries, like the positions
    // they are added to, and a tied output layer starts with logits of unit variance.
    const embedding = (n: number) => {
      const e = new Embedding(n, d, { paddingIdx: PAD_ID });
      normal_(e.weight, 0, d ** -0.5);
      (e.weight.data as Float32Array).fill(0, PAD_ID * d, (PAD_ID + 1) * d);
      return e;
    };
    if (c.shareEmbeddings) {
      this.embed = embedding(c.srcVocabSize);
      this.src_embed = this.tgt_embed = null;
    } else {
      this.embed = null;
      this.src_embed = embedding(c.srcVocabSize);
      this.tgt_embed = embedding(c.tgtVocabSize);
    }
    this.scale = Math.sqrt(d);
    this.positions = c.positions === 'sinusoidal'
      ? new SinusoidalPositionalEncoding(d, { maxLen: c.maxLen, dropout: c.dropout, batchFirst: true })
      : new LearnedPositionalEncoding(c.maxLen, d, { dropout: c.dropout, batchFirst: true });
    this.transformer = new Transformer({
      dModel: d, nhead: c.heads, numEncoderLayers: c.encoderLayers, numDecoderLayers: c.decoderLayers,
      dimFeedforward: c.dFf, dropout: c.dropout, activation: c.activation, normFirst: c.normFirst, batchFirst: true,
    });
    if (c.tieOutput) {
      this.out_bias = new Parameter(zeros([c.tgtVocabSize]));
      this.out_proj = null;
    } else {
      this.out_bias = null;
      this.out_proj = new Linear(d, c.tgtVocabSize);
    }
  }

  private get srcTable(): Embedding {
    return (this.embed ?? this.src_embed)!;
  }

  private get tgtTable(): Embedding {
    return (this.embed ?? this.tgt_embed)!;
  }

  /** Source ids (B, S) -> positioned embeddings (B, S, E). */
  embedSource(src: Tensor): Tensor {
    return this.positions.forward(F.mul(this.srcTable.forward(src), this.scale));
  }

  /** Target ids (B, T) starting at position `offset` -> (B, T, E). */
  embedTarget(tgt: Tensor, offset = 0): Tensor {
    return this.positions.forward(F.mul(this.tgtTable.forward(tgt), this.scale), offset);
  }

  /** Decoder output (..., E) -> next-token logits (..., V). */
  logits(h: Tensor): Tensor {
    if (this.out_bias) return F.linear(h, this.tgtTable.weight, this.out_bias);
    return this.out_proj!.forward(h);
  }

  /** Shapes: src (B, S) -> memory (B, S, E). `padding` (B, S): nonzero where src is padding. */
  encode(src: Tensor, padding: Tensor): Tensor {
    return this.transformer.encoder.forward(this.embedSource(src), { srcKeyPaddingMask: padding });
  }

  /** Teacher forcing: logits (B, T, V); attention is null (see attentionMaps for the pictures). */
  forward(batch: TranslationBatch): TranslationOutput {
    const { src, tgtIn, T } = this.batchTensors(batch);
    const padding = paddingMask(batch.src, batch.srcShape);
    const memory = this.encode(src, padding);
    const h = this.transformer.decoder.forward(this.embedTarget(tgtIn), memory, {
      tgtMask: generateSquareSubsequentMask(T), memoryKeyPaddingMask: padding,
    }); // (B, T, E)
    return { logits: this.logits(h), attention: null };
  }

  stepModel(src: Tensor, lengths: Int32Array): TransformerStepModel {
    return new TransformerStepModel(this, src, lengths);
  }

  /**
   * Attention pictures of one translation (teacher-forced on it): the decoder's cross-attention
   * averaged over all layers and heads first, then per layer its mean and each head; then the
   * encoder's self-attention per layer (mean, then heads), a source word attending to the
   * other words of its sentence.
   */
  attentionMaps(src: readonly number[], tokens: readonly number[], finished: boolean): AttentionMap[] {
    const tgtIn = [BOS_ID, ...tokens];
    const rows = finished ? tgtIn.length : tokens.length;
    if (src.length === 0) return [];
    return inference(this, () => {
      const S = src.length, T = tgtIn.length, H = this.config.heads;
      const srcT = new Tensor(Int32Array.from(src), [1, S]);
      const toRows = (w: Float32Array | Float64Array, off: number, nRows: number, nCols: number) =>
        Array.from({ length: nRows }, (_, r) => Array.from(w.subarray(off + r * nCols, off + (r + 1) * nCols)));
      const perHead = (w: Tensor, what: string, nRows: number, nCols: number, r: 'target' | 'source', keep: number): AttentionMap[] => {
        const v = w.values() as Float32Array; // (1, H, nRows, nCols)
        const mean = new Float32Array(nRows * nCols);
        for (let h = 0; h < H; h++) for (let i = 0; i < nRows * nCols; i++) mean[i] += v[h * nRows * nCols + i] / H;
        const maps: AttentionMap[] = [{ name: `${what} mean`, rows: r, cols: 'source', weights: toRows(mean, 0, keep, nCols) }];
        for (let h = 0; h < H; h++) maps.push({ name: `${what} head ${h + 1}`, rows: r, cols: 'source', weights: toRows(v, h * nRows * nCols, keep, nCols) });
        return maps;
      };

      const encoderMaps: AttentionMap[] = [];
      let x = this.embedSource(srcT);
      let i = 0;
      for (const layer of this.transformer.encoder.layers) {
        encoderMaps.push(...perHead(layer.attentionWeights(x, { averageAttnWeights: false }), `encoder self-attention layer ${++i}`, S, S, 'source', S));
        x = layer.forward(x);
      }
      const memory = this.transformer.encoder.norm ? this.transformer.encoder.norm.forward(x) : x;

      const crossMaps: AttentionMap[] = [];
      const tgtMask = generateSquareSubsequentMask(T);
      let y = this.embedTarget(new Tensor(Int32Array.from(tgtIn), [1, T]));
      const all = new Float64Array(rows * S);
      i = 0;
      for (const layer of this.transformer.decoder.layers) {
        const maps = perHead(layer.crossAttentionWeights(y, memory, { tgtMask, averageAttnWeights: false }), `cross-attention layer ${++i}`, T, S, 'target', rows);
        maps[0].weights.forEach((row, r) => row.forEach((a, s) => { all[r * S + s] += a / this.config.decoderLayers; }));
        crossMaps.push(...maps);
        y = layer.forward(y, memory, { tgtMask });
      }
      if (rows === 0) return encoderMaps;
      return [{ name: 'cross-attention mean of all layers and heads', rows: 'target', cols: 'source', weights: toRows(all, 0, rows, S) }, ...crossMaps, ...encoderMaps];
    });
  }

  /** Validates a batch and wraps its arrays: src (B, S), tgtIn (B, T). */
  private batchTensors(batch: TranslationBatch): { src: Tensor; tgtIn: Tensor; B: number; S: number; T: number } {
    const [B, S] = batch.srcShape;
    const [B2, T] = batch.tgtShape;
    if (B !== B2) throw new Error(`TransformerTranslator.forward: source batch ${B} but target batch ${B2}`);
    if (batch.src.length !== B * S) throw new Error(`TransformerTranslator.forward: src has ${batch.src.length} ids for shape ${fmtShape([B, S])}`);
    if (batch.tgtIn.length !== B * T) throw new Error(`TransformerTranslator.forward: tgtIn has ${batch.tgtIn.length} ids for shape ${fmtShape([B, T])}`);
    const longest = Math.max(S, T);
    if (longest > this.config.maxLen) throw new Error(`TransformerTranslator.forward: sequences of ${longest} tokens exceed maxLen ${this.config.maxLen}`);
    return { src: new Tensor(batch.src, [B, S]), tgtIn: new Tensor(batch.tgtIn, [B, T]), B, S, T };
  }
}

/** (B, S) int32: 1 where the source id is padding (what keyPaddingMask reads as "ignore this key"). */
export function paddingMask(src: ArrayLike<number>, shape: readonly [number, number]): Tensor {
  const m = new Int32Array(shape[0] * shape[1]);
  for (let i = 0; i < m.length; i++) m[i] = src[i] === PAD_ID ? 1 : 0;
  return new Tensor(m, [shape[0], shape[1]]);
}

/** Builds a Transformer translator from a (possibly partial) config. */
export function createTransformerTranslator(options: TransformerTranslatorOptions): TransformerTranslator {
  return new TransformerTranslator(options);
}
