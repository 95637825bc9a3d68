import * as F from '../../autograd/ops/index.js';
import { Embedding } from '../../nn/layers/embedding.js';
import { dropout } from '../../nn/layers/dropout.js';
import { Linear } from '../../nn/layers/linear.js';
import { LSTM } from '../../nn/layers/rnn.js';
import { Module } from '../../nn/module.js';
import { fmtShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { PAD_ID } from '../../text/vocab.js';
import type { Seq2SeqConfig } from './config.js';

/** What the encoder hands the decoder. */
export interface EncoderOutput {
  /** Encoder output at every source position, zero past each length: (B, S, M), M = hiddenSize × directions. */
  memory: Tensor;
  /** 1 on padded source positions, 0 on real tokens: (B, S). */
  padMask: Tensor;
  /** Initial decoder hidden state per layer, each (B, Hd): the "meaning vector" of the sentence. */
  h: Tensor[];
  /** Initial decoder cell state per layer, each (B, Hd). */
  c: Tensor[];
  lengths: Int32Array;
}

/** (B, S) float mask, 1 where position s ≥ lengths[b]. */
export function paddingMask(lengths: ArrayLike<number>, S: number): Tensor {
  const B = lengths.length;
  const m = new Float32Array(B * S);
  for (let b = 0; b < B; b++) for (let s = lengths[b]; s < S; s++) m[b * S + s] = 1;
  return new Tensor(m, [B, S]);
}

/**
 * Source embedding + (bi)LSTM. With a bidirectional encoder, or when the decoder is wider than
 * the encoder, a bridge maps each layer's final states to the decoder's size:
 * h₀ = tanh(W_h [h→; h←]), c₀ = W_c [c→; c←].
 */
export class Seq2SeqEncoder extends Module {
  embed: Embedding;
  rnn: LSTM;
  bridge_h: Linear | null;
  bridge_c: Linear | null;

  constructor(readonly config: Seq2SeqConfig) {
    super();
    const c = config;
    this.embed = new Embedding(c.srcVocabSize, c.srcEmbSize, { paddingIdx: PAD_ID });
    this.rnn = new LSTM({
      inputSize: c.srcEmbSize, hiddenSize: c.hiddenSize, numLayers: c.layers,
      bidirectional: c.bidirectional, batchFirst: true, dropout: c.dropout,
    });
    const D = c.bidirectional ? 2 : 1;
    const needBridge = c.bidirectional || c.hiddenSize !== c.decoderHiddenSize;
    this.bridge_h = needBridge ? new Linear(D * c.hiddenSize, c.decoderHiddenSize) : null;
    this.bridge_c = needBridge ? new Linear(D * c.hiddenSize, c.decoderHiddenSize) : null;
  }

  /** Shapes: src int32 (B, S), lengths (B) with 1 ≤ length ≤ S -> EncoderOutput. */
  forward(src: Tensor, lengths: Int32Array): EncoderOutput {
    if (src.ndim !== 2 || src.dtype !== 'int32') throw new Error(`Seq2SeqEncoder: src must be int32 [B, S], got ${src.dtype} ${fmtShape(src.shape)}`);
    const [B, S] = src.shape;
    if (lengths.length !== B) throw new Error(`Seq2SeqEncoder: ${lengths.length} lengths for a batch of ${B}`);
    for (const n of lengths) {
      if (!(n >= 1 && n <= S)) throw new Error(`Seq2SeqEncoder: source lengths must be in [1, ${S}], got [${Array.from(lengths).join(', ')}]`);
    }
    const c = this.config;
    const D = c.bidirectional ? 2 : 1;
    const x = dropout(this.embed.forward(src), c.dropout, this.training); // (B, S, E)
    const { output, h, c: cell } = this.rnn.forward(x, null, { lengths }); // (B, S, D·H), (L·D, B, H)
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < c.layers; l++) {
      const layerH = D === 1 ? F.select(h, 0, l) : F.concat([F.select(h, 0, 2 * l), F.select(h, 0, 2 * l + 1)], 1); // (B, D·H)
      const layerC = D === 1 ? F.select(cell, 0, l) : F.concat([F.select(cell, 0, 2 * l), F.select(cell, 0, 2 * l + 1)], 1);
      hs.push(this.bridge_h ? F.tanh(this.bridge_h.forward(layerH)) : layerH); // (B, Hd)
      cs.push(this.bridge_c ? this.bridge_c.forward(layerC) : layerC);
    }
    return { memory: output, padMask: paddingMask(lengths, S), h: hs, c: cs, lengths: Int32Array.from(lengths) };
  }
}
