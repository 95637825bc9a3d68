import * as F from '../../autograd/ops/index.js';
import { ModuleList } from '../../nn/layers/containers.js';
import { dropout } from '../../nn/layers/dropout.js';
import { Linear, linear } from '../../nn/layers/linear.js';
import { LSTMCell } from '../../nn/layers/rnn-cells.js';
import { lstmCellStep } from '../../nn/layers/rnn-steps.js';
import { unbindViews } from '../../autograd/ops/split-views.js';
import { zeros } from '../../tensor/creation.js';
import { Tensor } from '../../tensor/tensor.js';
import { Attention } from './attention.js';
import type { Seq2SeqConfig } from './config.js';
import type { EncoderOutput } from './encoder.js';
import { Seq2SeqModel, type Seq2SeqBatch, type Seq2SeqOutput } from './model.js';
import { OutputLayer } from './output-layer.js';
import type { DecoderState } from './state.js';

interface StepWeights {
  hh: Tensor;
  extra: Tensor | null;
}

/**
 * Encoder-decoder with attention. At every output step the decoder looks back at all encoder
 * outputs instead of one fixed vector.
 *
 * Luong et al. (2015), dot / general:          Bahdanau et al. (2015), additive:
 *   s_t  = LSTM([y_{t-1}; h̃_{t-1}], s_{t-1})      α_t = align(s_{t-1}, h)   (attend first,
 *   α_t  = align(s_t, h)                           c_t = Σ_s α_ts h_s          with the old state)
 *   c_t  = Σ_s α_ts h_s                            s_t = LSTM([y_{t-1}; c_t; h̃_{t-1}], s_{t-1})
 *   h̃_t = tanh(W_c [c_t; s_t])                    h̃_t = tanh(W_c [c_t; s_t])
 *   p(y_t) = softmax(W_o h̃_t)                     p(y_t) = softmax(W_o h̃_t)
 * h̃_{t-1} in the decoder input is input feeding (config.inputFeeding, on by default).
 */
export class AttentionSeq2Seq extends Seq2SeqModel {
  decoder: ModuleList<LSTMCell>;
  attention: Attention;
  combine: Linear;
  out: OutputLayer;
  /** Size of encoder outputs M. */
  readonly memorySize: number;
  /** Decoder-input columns beyond the embedding: context (Bahdanau) and h̃ (input feeding). */
  readonly extraInput: number;

  constructor(config: Seq2SeqConfig) {
    super(config);
    const c = config;
    const Hd = c.decoderHiddenSize;
    this.memorySize = c.hiddenSize * (c.bidirectional ? 2 : 1);
    this.extraInput = (c.attention === 'bahdanau' ? this.memorySize : 0) + (c.inputFeeding ? Hd : 0);
    this.decoder = new ModuleList<LSTMCell>();
    for (let l = 0; l < c.layers; l++) this.decoder.append(new LSTMCell(l === 0 ? c.tgtEmbSize + this.extraInput : Hd, Hd));
    this.attention = new Attention(c.attention, Hd, this.memorySize, c.attentionSize);
    this.combine = new Linear(this.memorySize + Hd, Hd, { bias: false });
    this.out = new OutputLayer(Hd, c.tgtVocabSize, c.tieEmbeddings ? this.tgt_embed : null);
  }

  forward(batch: Seq2SeqBatch): Seq2SeqOutput {
    const { src, tgtIn, B, T } = this.batchTensors(batch);
    const enc = this.encode(src, batch.srcLengths);
    const p = this.config.dropout;
    const y = dropout(this.tgt_embed.forward(tgtIn), p, this.training); // (B, T, E)
    const xs = unbindViews(this.embeddingGates(y), 1); // T × (B, 4Hd)
    let state = this.initialState(enc);
    const w = this.stepWeights(); // one set of views for all steps: their gradients are summed once, not padded per step
    const attns: Tensor[] = [];
    let hTilde: Tensor; // (B, T, Hd)
    if (this.config.inputFeeding) {
      const outs: Tensor[] = [];
      for (let t = 0; t < T; t++) {
        const r = this.stepFromGates(xs[t], state, w);
        state = r.state;
        outs.push(r.hTilde);
        attns.push(state.attention!);
      }
      hTilde = F.stack(outs, 1);
    } else if (this.config.attention !== 'bahdanau') {
      // Luong attention without input feeding: the attention reads s_t and feeds nothing back, so
      // only the LSTM recurrence is sequential. Scores, softmax, contexts and the readout run once
      // over all steps as batched (B, T, ·) products instead of T small ones.
      const tops: Tensor[] = [];
      for (let t = 0; t < T; t++) {
        state = this.lstmStep(xs[t], state, w, null);
        tops.push(state.h[this.config.layers - 1]);
      }
      const s = F.stack(tops, 1); // (B, T, Hd)
      const att = this.attention.forwardAll(s, state.keys!, enc.memory, enc.padMask);
      hTilde = F.tanh(this.combine.forward(F.concat([att.context, s], 2)));
      return { logits: this.out.forward(dropout(hTilde, p, this.training)), attention: att.weights };
    } else {
      // Without input feeding h̃_t feeds nothing back, so the readout runs once over all steps:
      // one (B·T, M+Hd) x (M+Hd, Hd) product instead of T small ones.
      const contexts: Tensor[] = [];
      const tops: Tensor[] = [];
      for (let t = 0; t < T; t++) {
        const r = this.recurrentStep(xs[t], state, w);
        state = r.state;
        contexts.push(r.context);
        tops.push(r.top);
        attns.push(state.attention!);
      }
      hTilde = F.tanh(this.combine.forward(F.concat([F.stack(contexts, 1), F.stack(tops, 1)], 2)));
    }
    // One output matmul over all steps: (B·T, Hd) x (Hd, V).
    const logits = this.out.forward(dropout(hTilde, p, this.training)); // (B, T, V)
    return { logits, attention: F.stack(attns, 1) }; // (B, T, S)
  }

  initialState(enc: EncoderOutput): DecoderState {
    const B = enc.memory.shape[0];
    return {
      h: enc.h, c: enc.c,
      feed: this.config.inputFeeding ? zeros([B, this.config.decoderHiddenSize]) : null,
      memory: enc.memory, keys: this.attention.keys(enc.memory), padMask: enc.padMask,
      attention: null,
    };
  }

  decodeStep(state: DecoderState, tokens: Int32Array): { logits: Tensor; state: DecoderState } {
    const R = tokens.length;
    const y = this.tgt_embed.forward(new Tensor(Int32Array.from(tokens), [R])); // (R, E)
    const r = this.stepFromGates(this.embeddingGates(y), state, this.stepWeights());
    return { logits: this.out.forward(r.hTilde), state: r.state }; // (R, V)
  }

  /**
   * The first decoder layer's recurrent weights (4Hd, Hd) and a view of its input weights for the
   * context / input-feeding columns (4Hd, extra), or null without such columns. One view for all
   * steps, so their gradients are summed in place across steps.
   */
  private stepWeights(): StepWeights {
    const cell = this.decoder.at(0);
    return {
      hh: cell.weight_hh,
      extra: this.extraInput === 0 ? null : F.narrow(cell.weight_ih, 1, this.config.tgtEmbSize, this.extraInput),
    };
  }

  /**
   * The embedding's share of the first decoder layer's gates, bias included, for all positions at
   * once. Shapes: y (..., E) -> (..., 4Hd).
   */
  private embeddingGates(y: Tensor): Tensor {
    const cell = this.decoder.at(0);
    const wEmb = F.narrow(cell.weight_ih, 1, 0, this.config.tgtEmbSize); // (4Hd, E) view
    const bias = cell.bias_ih && cell.bias_hh ? F.add(cell.bias_ih, cell.bias_hh) : (cell.bias_ih ?? cell.bias_hh);
    return linear(y, wEmb, bias);
  }

  /** One decoder step given the embedding gates xe (R, 4Hd). -> h̃ (R, Hd) and the next state. */
  private stepFromGates(xe: Tensor, state: DecoderState, w: StepWeights): { hTilde: Tensor; state: DecoderState } {
    const r = this.recurrentStep(xe, state, w);
    const hTilde = F.tanh(this.combine.forward(F.concat([r.context, r.top], 1))); // (R, Hd)
    return { hTilde, state: this.config.inputFeeding ? { ...r.state, feed: hTilde } : r.state };
  }

  /**
   * The recurrent part of a step: attention and the LSTM layers. -> the top layer's output s_t,
   * the context c_t and the next state (its `feed` still the previous h̃: the caller sets it).
   */
  private recurrentStep(xe: Tensor, state: DecoderState, w: StepWeights): { top: Tensor; context: Tensor; state: DecoderState } {
    const c = this.config;
    const bahdanau = c.attention === 'bahdanau';
    const memory = state.memory!, keys = state.keys!, padMask = state.padMask!;
    const top = c.layers - 1;
    let att: { context: Tensor; weights: Tensor } | null = null;
    if (bahdanau) att = this.attention.forward(state.h[top], keys, memory, padMask); // with s_{t-1}

    const next = this.lstmStep(xe, state, w, bahdanau ? att!.context : null);
    const s = next.h[top]; // (R, Hd)
    if (!bahdanau) att = this.attention.forward(s, keys, memory, padMask); // with s_t
    return { top: s, context: att!.context, state: { ...next, attention: att!.weights } };
  }

  /**
   * The LSTM layers of one step: the first layer's gates are the embedding gates xe plus the
   * recurrent product plus, when present, the context and input-feeding columns.
   */
  private lstmStep(xe: Tensor, state: DecoderState, w: StepWeights, context: Tensor | null): DecoderState {
    const c = this.config;
    const extra: Tensor[] = [];
    if (context) extra.push(context);
    if (c.inputFeeding) extra.push(state.feed!);
    let gates = linear(state.h[0], w.hh, xe); // (R, 4Hd): each product accumulates into the running sum
    if (extra.length > 0) gates = linear(extra.length === 1 ? extra[0] : F.concat(extra, 1), w.extra!, gates);
    const first = lstmCellStep(gates, state.c[0]);
    const hs = [first.h], cs = [first.c];
    for (let l = 1; l < c.layers; l++) {
      const [h, cl] = this.decoder.at(l).forward(dropout(hs[l - 1], c.dropout, this.training), [state.h[l], state.c[l]]);
      hs.push(h);
      cs.push(cl);
    }
    return { ...state, h: hs, c: cs };
  }
}
