import * as F from '../../autograd/ops/index.js';
import type { StepModel } from '../../decode/step-model.js';
import type { KeyValue } from '../../nn/layers/multihead-attention.js';
import { generateSquareSubsequentMask } from '../../nn/layers/multihead-attention.js';
import { TransformerDecoderCache } from '../../nn/layers/transformer-decoder.js';
import { fmtShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { BOS_ID, EOS_ID } from '../../text/vocab.js';
import { inference } from '../../nn/inference.js';
import { banSpecials } from '../seq2seq/step-model.js';
import type { TransformerTranslator } from './model.js';

/**
 * What the decoder keeps between steps, per hypothesis row: every layer's self-attention
 * keys/values of the tokens fed so far and its cross-attention keys/values of that row's source
 * (computed once by the encoder), with the source padding mask. Tensors are never changed in
 * place, so a state stays valid after `step` or `select` (exact search revisits old states).
 */
export interface TransformerDecoderState {
  /** Per decoder layer: self (R, H, t, Dh) or null before the first token; cross (R, H, S, Dh). */
  layers: readonly { self: KeyValue | null; cross: KeyValue }[];
  /** (R, S): 1 on source padding. */
  padding: Tensor;
  /** Tokens fed so far (the next token's position). */
  length: number;
  rows: number;
}

/**
 * A Transformer translator seen through decode/'s StepModel: the sources are encoded once, and
 * `step` runs the decoder on the newest token only, attending to the cached keys/values of the
 * earlier ones (TransformerDecoder.forwardStep): one step costs O(t) instead of recomputing the
 * whole prefix (O(t²)). `select` reorders the cache rows (beam search keeping and repeating
 * hypotheses). The log-probabilities equal those of the full teacher-forced forward.
 */
export class TransformerStepModel implements StepModel<TransformerDecoderState> {
  readonly vocabSize: number;
  readonly bos = BOS_ID;
  readonly eos = EOS_ID;
  readonly sourceLengths: Int32Array;
  /** (B, S, E) */
  readonly memory: Tensor;
  private readonly initial: TransformerDecoderState;

  constructor(readonly model: TransformerTranslator, src: Tensor, lengths: Int32Array) {
    if (src.ndim !== 2) throw new Error(`TransformerStepModel: src must be [B, S], got ${fmtShape(src.shape)}`);
    const [B, S] = src.shape;
    if (lengths.length !== B) throw new Error(`TransformerStepModel: ${lengths.length} lengths for ${B} sources`);
    this.vocabSize = model.config.tgtVocabSize;
    this.sourceLengths = Int32Array.from(lengths);
    const padding = sourcePadding(lengths, S);
    const { memory, layers } = inference(model, () => {
      const memory = model.encode(src, padding);
      const layers = [...model.transformer.decoder.layers].map((l) => ({ self: null, cross: l.multihead_attn.projectKeyValue(memory, memory) }));
      return { memory, layers };
    });
    this.memory = memory;
    this.initial = { layers, padding, length: 0, rows: B };
  }

  start(batch: number): TransformerDecoderState {
    const B = this.sourceLengths.length;
    if (batch !== B) throw new Error(`TransformerStepModel.start: ${B} sources were encoded, asked for ${batch}`);
    return this.initial;
  }

  step(state: TransformerDecoderState, tokens: Int32Array): { logProbs: Float32Array; state: TransformerDecoderState } {
    const R = state.rows;
    if (tokens.length !== R) throw new Error(`TransformerStepModel.step: ${tokens.length} tokens for ${R} state rows`);
    const m = this.model;
    return inference(m, () => {
      // a fresh cache object over the state's tensors: forwardStep extends it, the state keeps its own
      const cache = new TransformerDecoderCache(state.layers.length);
      state.layers.forEach((l, i) => { cache.layers[i].self = l.self; cache.layers[i].cross = l.cross; });
      const x = m.embedTarget(new Tensor(Int32Array.from(tokens), [R, 1]), state.length); // (R, 1, E)
      const h = m.transformer.decoder.forwardStep(x, this.memory, cache, { memoryKeyPaddingMask: state.padding });
      const logits = m.logits(F.reshape(h, [R, m.config.dModel])); // (R, V)
      const logProbs = F.logSoftmax(logits, 1).values() as Float32Array;
      banSpecials(logProbs, this.vocabSize);
      const layers = cache.layers.map((c) => ({ self: c.self, cross: c.cross! }));
      return { logProbs, state: { layers, padding: state.padding, length: state.length + 1, rows: R } };
    });
  }

  select(state: TransformerDecoderState, rows: Int32Array): TransformerDecoderState {
    for (const r of rows) if (!(r >= 0 && r < state.rows)) throw new Error(`TransformerStepModel.select: row ${r} is outside the ${state.rows} rows of the state`);
    return inference(this.model, () => {
      const idx = new Tensor(Int32Array.from(rows), [rows.length]);
      const pick = (kv: KeyValue): KeyValue => ({ k: F.indexSelect(kv.k, 0, idx), v: F.indexSelect(kv.v, 0, idx) });
      return {
        layers: state.layers.map((l) => ({ self: l.self ? pick(l.self) : null, cross: pick(l.cross) })),
        padding: F.indexSelect(state.padding, 0, idx), length: state.length, rows: rows.length,
      };
    });
  }
}

/** Recompute state: each row's source index and the tokens fed so far. */
export interface PrefixState {
  sources: readonly number[];
  prefixes: readonly (readonly number[])[];
}

/**
 * The same StepModel without a key/value cache: the sources are encoded once, and every step runs
 * the decoder over each row's whole prefix (causal mask) and keeps the last position, as decoding
 * without a cache does. The reference the cached decoder is tested against, and the baseline of
 * the decoding benchmark.
 */
export class TransformerRecomputeStepModel implements StepModel<PrefixState> {
  readonly vocabSize: number;
  readonly bos = BOS_ID;
  readonly eos = EOS_ID;
  readonly sourceLengths: Int32Array;
  /** (B, S, E) */
  private readonly memory: Tensor;
  private readonly padding: Tensor;

  constructor(readonly model: TransformerTranslator, src: Tensor, lengths: Int32Array) {
    if (src.ndim !== 2) throw new Error(`TransformerRecomputeStepModel: src must be [B, S], got ${fmtShape(src.shape)}`);
    const [B, S] = src.shape;
    if (lengths.length !== B) throw new Error(`TransformerRecomputeStepModel: ${lengths.length} lengths for ${B} sources`);
    this.vocabSize = model.config.tgtVocabSize;
    this.sourceLengths = Int32Array.from(lengths);
    this.padding = sourcePadding(lengths, S);
    this.memory = inference(model, () => model.encode(src, this.padding));
  }

  start(batch: number): PrefixState {
    if (batch !== this.sourceLengths.length) throw new Error(`TransformerRecomputeStepModel.start: ${this.sourceLengths.length} sources were encoded, asked for ${batch}`);
    return { sources: Array.from({ length: batch }, (_, i) => i), prefixes: Array.from({ length: batch }, () => []) };
  }

  step(state: PrefixState, tokens: Int32Array): { logProbs: Float32Array; state: PrefixState } {
    const R = state.sources.length, V = this.vocabSize, m = this.model;
    if (tokens.length !== R) throw new Error(`TransformerRecomputeStepModel.step: ${tokens.length} tokens for ${R} state rows`);
    const prefixes = state.prefixes.map((p, r) => [...p, tokens[r]]);
    const T = prefixes[0].length; // searches step every row of a state together, so all prefixes have one length
    const tgtIn = new Int32Array(R * T);
    prefixes.forEach((p, r) => tgtIn.set(p, r * T));
    const logProbs = inference(m, () => {
      const rows = new Tensor(Int32Array.from(state.sources), [R]);
      const h = m.transformer.decoder.forward(m.embedTarget(new Tensor(tgtIn, [R, T])), F.indexSelect(this.memory, 0, rows), {
        tgtMask: generateSquareSubsequentMask(T), memoryKeyPaddingMask: F.indexSelect(this.padding, 0, rows),
      }); // (R, T, E)
      const last = F.reshape(F.narrow(h, 1, T - 1, 1), [R, m.config.dModel]);
      return F.logSoftmax(m.logits(last), 1).values() as Float32Array;
    });
    banSpecials(logProbs, V);
    return { logProbs, state: { sources: state.sources, prefixes } };
  }

  select(state: PrefixState, rows: Int32Array): PrefixState {
    return { sources: Array.from(rows, (r) => state.sources[r]), prefixes: Array.from(rows, (r) => state.prefixes[r]) };
  }
}

/** (B, S) int32: 1 on the padding after each source's length. */
function sourcePadding(lengths: Int32Array, S: number): Tensor {
  const B = lengths.length;
  const pad = new Int32Array(B * S);
  for (let b = 0; b < B; b++) for (let s = lengths[b]; s < S; s++) pad[b * S + s] = 1;
  return new Tensor(pad, [B, S]);
}
