import * as F from '../../autograd/ops/index.js';
import { dropout } from '../../nn/layers/dropout.js';
import { LSTM } from '../../nn/layers/rnn.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Seq2SeqConfig } from './config.js';
import type { EncoderOutput } from './encoder.js';
import { Seq2SeqModel, type Seq2SeqBatch, type Seq2SeqOutput } from './model.js';
import { OutputLayer } from './output-layer.js';
import type { DecoderState } from './state.js';

/**
 * The encoder-decoder of Sutskever et al. (2014): the encoder reads the whole Chinese sentence,
 * its final (h, c) is the sentence's "meaning vector", and a second LSTM started from that state
 * writes the English sentence. Nothing else of the source reaches the decoder, which is why
 * quality falls with sentence length.
 */
export class PlainSeq2Seq extends Seq2SeqModel {
  decoder: LSTM;
  out: OutputLayer;

  constructor(config: Seq2SeqConfig) {
    super(config);
    const c = config;
    this.decoder = new LSTM({ inputSize: c.tgtEmbSize, hiddenSize: c.decoderHiddenSize, numLayers: c.layers, batchFirst: true, dropout: c.dropout });
    this.out = new OutputLayer(c.decoderHiddenSize, c.tgtVocabSize, c.tieEmbeddings ? this.tgt_embed : null);
  }

  forward(batch: Seq2SeqBatch): Seq2SeqOutput {
    const { src, tgtIn } = this.batchTensors(batch);
    const enc = this.encode(src, batch.srcLengths);
    const p = this.config.dropout;
    const y = dropout(this.tgt_embed.forward(tgtIn), p, this.training); // (B, T, E)
    // The whole target in one LSTM call: its input projection is a single matmul over all steps.
    const { output } = this.decoder.forward(y, [F.stack(enc.h, 0), F.stack(enc.c, 0)]); // (B, T, Hd)
    const logits = this.out.forward(dropout(output, p, this.training)); // (B, T, V)
    return { logits, attention: null };
  }

  initialState(enc: EncoderOutput): DecoderState {
    return { h: enc.h, c: enc.c, feed: null, memory: null, keys: null, padMask: null, attention: null };
  }

  decodeStep(state: DecoderState, tokens: Int32Array): { logits: Tensor; state: DecoderState } {
    const R = tokens.length;
    const y = this.tgt_embed.forward(new Tensor(Int32Array.from(tokens), [R, 1])); // (R, 1, E)
    const { output, h, c } = this.decoder.forward(y, [F.stack(state.h, 0), F.stack(state.c, 0)]); // (R, 1, Hd), (L, R, Hd)
    const logits = this.out.forward(F.reshape(output, [R, this.config.decoderHiddenSize])); // (R, V)
    const L = this.config.layers;
    const layers = (t: Tensor) => Array.from({ length: L }, (_, l) => F.select(t, 0, l));
    return { logits, state: { ...state, h: layers(h), c: layers(c) } };
  }
}
