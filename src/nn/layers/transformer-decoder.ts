import * as F from '../../autograd/ops/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { fmtShape } from '../../tensor/shape.js';
import { Module } from '../module.js';
import { ModuleList } from './containers.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { type KeyValue, MultiheadAttention } from './multihead-attention.js';
import { LayerNorm } from './normalization.js';
import { feedForward, layerDefaults, type TransformerLayerOptions } from './transformer-options.js';

export interface DecoderLayerForwardOptions {
  /** [T, T] or [N·H, T, T] (causal: generateSquareSubsequentMask(T)); int32 boolean or float32 additive */
  tgtMask?: Tensor | null;
  /** [T, S] or [N·H, T, S] */
  memoryMask?: Tensor | null;
  /** [N, T] */
  tgtKeyPaddingMask?: Tensor | null;
  /** [N, S] */
  memoryKeyPaddingMask?: Tensor | null;
}

/** Options of an incremental step: the memory masks as in forward, the target padding over all cached positions. */
export interface DecoderStepOptions {
  /** [N, S] */
  memoryKeyPaddingMask?: Tensor | null;
  /** [Tnew, S] or [N·H, Tnew, S] */
  memoryMask?: Tensor | null;
  /** [N, past + Tnew]: padding among the target positions seen so far */
  tgtKeyPaddingMask?: Tensor | null;
  /** keep each layer's cross-attention weights of this step in its cache entry (`crossWeights`) */
  needWeights?: boolean;
}

/**
 * What one decoder layer keeps between incremental steps: its self-attention keys/values of every
 * position decoded so far, and the cross-attention keys/values of the memory (computed at the
 * first step). Both [N, H, ·, Dh].
 */
export interface DecoderLayerCache {
  self: KeyValue | null;
  cross: KeyValue | null;
  /** the last step's cross-attention weights per head [N, H, Tnew, S], when the step asked for them */
  crossWeights?: Tensor | null;
}

/**
 * torch.nn.TransformerDecoderLayer: masked self-attention, attention over the encoder's memory,
 * and a feed-forward block, each with a residual connection and LayerNorm (post-LN, or pre-LN
 * with normFirst). Parameters: self_attn.*, multihead_attn.*, linear1, linear2, norm1..norm3.
 * Shapes: tgt [T, N, E], memory [S, N, E] (batchFirst: [N, T, E], [N, S, E]) -> [T, N, E].
 *
 * `forwardStep` runs the same layer on the newest positions only, with a DecoderLayerCache: the
 * result equals the rows of a full causal forward (see the tests).
 */
export class TransformerDecoderLayer extends Module {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  readonly options: ReturnType<typeof layerDefaults>;

  constructor(readonly dModel: number, readonly nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const o = layerDefaults(opts);
    this.options = o;
    const g = o.generator;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, batchFirst: o.batchFirst, generator: g });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, batchFirst: o.batchFirst, generator: g });
    this.linear1 = new Linear(dModel, o.dimFeedforward, { generator: g });
    this.dropout = new Dropout(o.dropout, g);
    this.linear2 = new Linear(o.dimFeedforward, dModel, { generator: g });
    this.norm1 = new LayerNorm(dModel, o.layerNormEps);
    this.norm2 = new LayerNorm(dModel, o.layerNormEps);
    this.norm3 = new LayerNorm(dModel, o.layerNormEps);
    this.dropout1 = new Dropout(o.dropout, g);
    this.dropout2 = new Dropout(o.dropout, g);
    this.dropout3 = new Dropout(o.dropout, g);
  }

  forward(tgt: Tensor, memory: Tensor, opts: DecoderLayerForwardOptions = {}): Tensor {
    const selfAttn = (x: Tensor) => this.self_attn.forward(x, x, x, { attnMask: opts.tgtMask, keyPaddingMask: opts.tgtKeyPaddingMask, needWeights: false }).output;
    const crossKv = (x: Tensor) => this.multihead_attn.projectKeyValue(memory, memory, x.ndim === 2);
    return this.blocks(tgt, selfAttn, crossKv, { memoryMask: opts.memoryMask, memoryKeyPaddingMask: opts.memoryKeyPaddingMask });
  }

  /**
   * The layer on new target positions `tgt` ([Tnew, N, E], or [N, Tnew, E] with batchFirst; Tnew
   * is usually 1) given the positions before them through `cache`, which it extends. New
   * positions attend to every cached one and causally among themselves.
   */
  forwardStep(tgt: Tensor, memory: Tensor, cache: DecoderLayerCache, opts: DecoderStepOptions = {}): Tensor {
    // the cache keeps keys and values that later ops (concat, a beam's reorder) can pass gradients
    // through; this step's attention may still read the joint projection in place
    const selfAttn = (x: Tensor) => {
      const kv = this.self_attn.projectKeyValue(x, x);
      let step = kv;
      if (cache.self) {
        const cur = this.self_attn.trackedKeyValue(kv);
        step = { k: F.concat([cache.self.k, cur.k], 2), v: F.concat([cache.self.v, cur.v], 2) };
      }
      cache.self = this.self_attn.trackedKeyValue(step);
      const tNew = kv.k.shape[2], total = step.k.shape[2];
      return this.self_attn.attend(x, step, {
        attnMask: tNew > 1 ? stepCausalMask(tNew, total) : null, keyPaddingMask: opts.tgtKeyPaddingMask, needWeights: false,
      }).output;
    };
    const crossKv = (x: Tensor) => {
      if (cache.cross) return cache.cross;
      const kv = this.multihead_attn.projectKeyValue(memory, memory, x.ndim === 2);
      cache.cross = this.multihead_attn.trackedKeyValue(kv);
      return kv;
    };
    const keep = opts.needWeights ? (w: Tensor | null) => { cache.crossWeights = w; } : undefined;
    return this.blocks(tgt, selfAttn, crossKv, opts, keep);
  }

  /** The three sub-blocks with their residuals and norms, shared by forward and forwardStep. */
  private blocks(
    tgt: Tensor, selfAttn: (x: Tensor) => Tensor, crossKv: (x: Tensor) => KeyValue,
    opts: { memoryMask?: Tensor | null; memoryKeyPaddingMask?: Tensor | null },
    keepCrossWeights?: (w: Tensor | null) => void,
  ): Tensor {
    const cross = (x: Tensor) => {
      const r = this.multihead_attn.attend(x, crossKv(x), {
        attnMask: opts.memoryMask, keyPaddingMask: opts.memoryKeyPaddingMask, needWeights: keepCrossWeights !== undefined, averageAttnWeights: false,
      });
      keepCrossWeights?.(r.weights);
      return this.dropout2.forward(r.output);
    };
    const ff = (x: Tensor) => this.dropout3.forward(feedForward(x, this.linear1, this.linear2, this.dropout, this.options.activation));
    let x = tgt;
    if (this.options.normFirst) {
      x = F.add(x, this.dropout1.forward(selfAttn(this.norm1.forward(x))));
      x = F.add(x, cross(this.norm2.forward(x)));
      x = F.add(x, ff(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(F.add(x, this.dropout1.forward(selfAttn(x))));
      x = this.norm2.forward(F.add(x, cross(x)));
      x = this.norm3.forward(F.add(x, ff(x)));
    }
    return x;
  }

  /**
   * Cross-attention weights of this layer (what each target position looks at in the source),
   * computed as in forward: [N, T, S] averaged over heads, or [N, H, T, S]. `tgt` is this
   * layer's input.
   */
  crossAttentionWeights(tgt: Tensor, memory: Tensor, opts: DecoderLayerForwardOptions & { averageAttnWeights?: boolean } = {}): Tensor {
    let x = tgt;
    const sa = (y: Tensor) => this.dropout1.forward(this.self_attn.forward(y, y, y, { attnMask: opts.tgtMask, keyPaddingMask: opts.tgtKeyPaddingMask, needWeights: false }).output);
    x = this.options.normFirst ? F.add(x, sa(this.norm1.forward(x))) : this.norm1.forward(F.add(x, sa(x)));
    const q = this.options.normFirst ? this.norm2.forward(x) : x;
    return this.multihead_attn.forward(q, memory, memory, {
      attnMask: opts.memoryMask, keyPaddingMask: opts.memoryKeyPaddingMask, needWeights: true, averageAttnWeights: opts.averageAttnWeights,
    }).weights!;
  }

  clone(): TransformerDecoderLayer {
    const c = new TransformerDecoderLayer(this.dModel, this.nhead, this.options);
    c.loadStateDict(this.stateDict());
    return c.train(this.training);
  }
}

/** [tNew, total] float mask: new position i (absolute total - tNew + i) sees keys up to itself. */
function stepCausalMask(tNew: number, total: number): Tensor {
  const past = total - tNew;
  const m = new Float32Array(tNew * total);
  for (let i = 0; i < tNew; i++) for (let j = past + i + 1; j < total; j++) m[i * total + j] = -Infinity;
  return new Tensor(m, [tNew, total]);
}

/**
 * The key/value cache of a whole decoder stack for incremental decoding (one DecoderLayerCache per
 * layer). `reorder` keeps or repeats batch rows, e.g. the surviving hypotheses of a beam search.
 */
export class TransformerDecoderCache {
  readonly layers: DecoderLayerCache[];

  constructor(numLayers: number) {
    this.layers = Array.from({ length: numLayers }, () => ({ self: null, cross: null }));
  }

  /** Target positions cached so far. */
  get length(): number {
    const s = this.layers[0]?.self;
    return s ? s.k.shape[2] : 0;
  }

  /**
   * Row b of the new cache is row index[b] of the old one, in every layer's self and cross
   * keys/values (the batch size may change). The caller reorders its memory masks the same way.
   */
  reorder(index: Int32Array | readonly number[]): void {
    const idx = new Tensor(Int32Array.from(index), [index.length]);
    const pick = (kv: KeyValue | null): KeyValue | null => {
      if (!kv) return null;
      const n = kv.k.shape[0];
      for (const i of idx.data) if (!(i >= 0 && i < n)) throw new Error(`TransformerDecoderCache.reorder: index ${i} is outside the batch of ${n}`);
      return { k: F.indexSelect(kv.k, 0, idx), v: F.indexSelect(kv.v, 0, idx) };
    };
    for (const c of this.layers) {
      c.self = pick(c.self);
      c.cross = pick(c.cross);
      c.crossWeights = null;
    }
  }
}

/**
 * torch.nn.TransformerDecoder: `numLayers` copies of a decoder layer under `layers.0`, ..., then
 * an optional final `norm`. `forwardStep` decodes incrementally with a TransformerDecoderCache.
 */
export class TransformerDecoder extends Module {
  layers: ModuleList<TransformerDecoderLayer>;
  norm: LayerNorm | null;

  constructor(decoderLayer: TransformerDecoderLayer, readonly numLayers: number, norm: LayerNorm | null = null) {
    super();
    if (!(Number.isInteger(numLayers) && numLayers > 0)) throw new Error(`TransformerDecoder: numLayers must be a positive integer, got ${numLayers}`);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.clone()));
    this.norm = norm;
  }

  forward(tgt: Tensor, memory: Tensor, opts: DecoderLayerForwardOptions = {}): Tensor {
    let x = tgt;
    for (const layer of this.layers) x = layer.forward(x, memory, opts);
    return this.norm ? this.norm.forward(x) : x;
  }

  /** An empty cache for forwardStep. */
  createCache(): TransformerDecoderCache {
    return new TransformerDecoderCache(this.layers.length);
  }

  /**
   * The decoder on new target positions only ([Tnew, N, E] or batch-first), extending `cache`:
   * equals the last Tnew rows of forward(whole prefix, memory, {tgtMask: causal}).
   */
  forwardStep(tgt: Tensor, memory: Tensor, cache: TransformerDecoderCache, opts: DecoderStepOptions = {}): Tensor {
    if (cache.layers.length !== this.layers.length) {
      throw new Error(`TransformerDecoder.forwardStep: the cache has ${cache.layers.length} layers, the decoder ${this.layers.length} (shape ${fmtShape(tgt.shape)})`);
    }
    let x = tgt;
    let i = 0;
    for (const layer of this.layers) x = layer.forwardStep(x, memory, cache.layers[i++], opts);
    return this.norm ? this.norm.forward(x) : x;
  }
}
